// All SQL for memberships (a user's role in an organization).
import type { Executor } from '../store/store.ts';
import type { MembershipsTable, UsersTable } from '../store/schema.ts';
import { isRole, type Member, type Membership, type Role } from './member.ts';

function roleOf(value: string): Role {
  // A role the code no longer knows grants the least.
  return isRole(value) ? value : 'member';
}

function toMembership(row: MembershipsTable): Membership {
  return {
    organizationId: row.organization_id,
    userId: row.user_id,
    role: roleOf(row.role),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findMembership(db: Executor, organizationId: string, userId: string): Promise<Membership | undefined> {
  const row = await db
    .selectFrom('memberships')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? toMembership(row) : undefined;
}

export async function listMembershipsOfUser(db: Executor, userId: string): Promise<Membership[]> {
  const rows = await db.selectFrom('memberships').selectAll().where('user_id', '=', userId).orderBy('organization_id').execute();
  return rows.map(toMembership);
}

export async function listMembers(db: Executor, organizationId: string): Promise<Member[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'memberships.organization_id',
      'memberships.user_id',
      'memberships.role',
      'memberships.created_at',
      'memberships.updated_at',
      'users.email',
      'users.name',
      'users.password_hash',
    ])
    .where('memberships.organization_id', '=', organizationId)
    .orderBy('users.email')
    .execute();
  return rows.map((row) => ({ ...toMembership(row), ...memberUser(row) }));
}

export function memberUser(row: Pick<UsersTable, 'email' | 'name' | 'password_hash'>): Pick<Member, 'email' | 'name' | 'hasPassword'> {
  return { email: row.email, name: row.name, hasPassword: row.password_hash !== null };
}

export async function insertMembership(db: Executor, m: Membership): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ organization_id: m.organizationId, user_id: m.userId, role: m.role, created_at: m.createdAt, updated_at: m.updatedAt })
    .execute();
}

export async function updateMembershipRole(db: Executor, organizationId: string, userId: string, role: Role, now: number): Promise<void> {
  await db
    .updateTable('memberships')
    .set({ role, updated_at: now })
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteMembership(db: Executor, organizationId: string, userId: string): Promise<boolean> {
  const r = await db.deleteFrom('memberships').where('organization_id', '=', organizationId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** The user's memberships with each organization's name, for the session's organization picker. */
export async function listMembershipsWithOrganization(
  db: Executor,
  userId: string,
): Promise<{ organizationId: string; organizationName: string; role: Role }[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .select(['memberships.organization_id', 'memberships.role', 'organizations.name'])
    .where('memberships.user_id', '=', userId)
    .orderBy('organizations.name')
    .execute();
  return rows.map((r) => ({ organizationId: r.organization_id, organizationName: r.name, role: roleOf(r.role) }));
}
