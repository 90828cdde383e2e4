// All SQL for sessions.
import type { Executor } from '../store/store.ts';
import type { SessionsTable } from '../store/schema.ts';
import type { Session } from './session.ts';

function toSession(row: SessionsTable): Session {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    organizationId: row.organization_id,
    kind: row.kind === 'embed' ? 'embed' : 'local',
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}

export async function insertSession(db: Executor, s: Session): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      user_id: s.userId,
      organization_id: s.organizationId,
      kind: s.kind,
      csrf_token: s.csrfToken,
      created_at: s.createdAt,
      last_seen_at: s.lastSeenAt,
      expires_at: s.expiresAt,
    })
    .execute();
}

export async function findSession(db: Executor, idHash: string): Promise<Session | undefined> {
  const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  return row ? toSession(row) : undefined;
}

export async function touchSession(db: Executor, idHash: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/**
 * Ends the user's sessions that reach `organizationId`: those bound to it and those covering
 * all the user's memberships. Returns how many ended.
 */
export async function deleteSessionsReaching(db: Executor, userId: string, organizationId: string): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('organization_id', '=', organizationId), eb('organization_id', 'is', null)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteExpiredSessions(db: Executor, now: number, idleMs: number): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)]))
    .execute();
}

/** Ends every email-and-password session of the user (after a password change). */
export async function deleteLocalSessionsOfUser(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('kind', '=', 'local').execute();
}
