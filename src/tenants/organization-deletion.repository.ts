// SQL for deleting an organization's own rows in tenants: members (and people left with no
// organization), sessions bound to it, its retention limits and the organization itself.
import type { Executor } from '../store/store.ts';

/**
 * Ends the organization's memberships and the sessions that reach it; people who belonged to
 * no other organization are deleted with all their sessions. Returns how many members and people went.
 */
export async function deleteMembersOf(db: Executor, organizationId: string): Promise<{ members: number; people: number }> {
  const members = await db.selectFrom('memberships').select('user_id').where('organization_id', '=', organizationId).execute();
  const userIds = members.map((m) => m.user_id);
  await db.deleteFrom('sessions').where('organization_id', '=', organizationId).execute();
  await db.deleteFrom('memberships').where('organization_id', '=', organizationId).execute();
  if (userIds.length === 0) return { members: 0, people: 0 };
  const stillMembers = new Set(
    (await db.selectFrom('memberships').select('user_id').where('user_id', 'in', userIds).execute()).map((m) => m.user_id),
  );
  const alone = userIds.filter((id) => !stillMembers.has(id));
  // A session not bound to an organization covered all of its person's memberships: it ends too.
  await db.deleteFrom('sessions').where('user_id', 'in', userIds).where('organization_id', 'is', null).execute();
  if (alone.length > 0) {
    await db.deleteFrom('sessions').where('user_id', 'in', alone).execute();
    await db.deleteFrom('users').where('id', 'in', alone).execute();
  }
  return { members: userIds.length, people: alone.length };
}

export async function deleteOrganizationRow(db: Executor, organizationId: string): Promise<boolean> {
  await db.deleteFrom('organization_retention').where('organization_id', '=', organizationId).execute();
  const r = await db.deleteFrom('organizations').where('id', '=', organizationId).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}
