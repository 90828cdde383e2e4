// All SQL for attempt counts (attempt_counts): the attempts counted against each limited key.
import type { Executor } from './store.ts';

/** One counted attempt: when it started and which attempt it was (to take it back). */
export type CountedAttempt = readonly [at: number, attemptId: string];

/**
 * Serializes decisions on `key` until the caller's transaction ends: the upsert creates the
 * row if needed and takes PostgreSQL's row lock (SQLite's write lock) without dialect-specific SQL.
 */
export async function lockAttemptKey(tx: Executor, key: string): Promise<void> {
  await tx
    .insertInto('attempt_counts')
    .values({ key, attempts: '[]', expires_at: 0 })
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ key: eb.ref('excluded.key') })))
    .execute();
}

export async function readAttempts(db: Executor, keys: readonly string[]): Promise<Map<string, CountedAttempt[]>> {
  if (keys.length === 0) return new Map();
  const rows = await db.selectFrom('attempt_counts').select(['key', 'attempts']).where('key', 'in', keys).execute();
  return new Map(rows.map((row) => [row.key, parseAttempts(row.attempts)]));
}

/** Replaces the key's attempts; without `expiresAt` the row keeps its expiry (fewer attempts never expire later). */
export async function writeAttempts(db: Executor, key: string, attempts: readonly CountedAttempt[], expiresAt?: number): Promise<void> {
  await db
    .updateTable('attempt_counts')
    .set({ attempts: JSON.stringify(attempts), ...(expiresAt === undefined ? {} : { expires_at: expiresAt }) })
    .where('key', '=', key)
    .execute();
}

export async function deleteAttempts(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('attempt_counts').where('key', '=', key).execute();
}

/** Forgets keys whose attempts have all left their window. */
export async function deleteExpiredAttempts(db: Executor, now: number): Promise<number> {
  const result = await db.deleteFrom('attempt_counts').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function parseAttempts(text: string): CountedAttempt[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) return [];
  return value.filter((a): a is [number, string] => Array.isArray(a) && typeof a[0] === 'number' && typeof a[1] === 'string');
}
