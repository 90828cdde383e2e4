// Giving the space of deleted rows back. PostgreSQL's autovacuum makes it reusable by itself;
// SQLite keeps freed pages inside the file unless the database is in incremental auto-vacuum
// mode (every database created by Relais is; see README, "Personal data", for older ones), in
// which case each call moves at most `maxPages` free pages out of the file in one short
// write transaction.
import { sql } from 'kysely';
import type { Store } from './store.ts';

export interface ReclaimedSpace {
  /** Free pages handed back to the file system by this call. */
  pages: number;
  /** Free pages still inside the file (they are reused for new rows). */
  freePagesLeft: number;
}

export async function reclaimFreePages(store: Store, maxPages: number): Promise<ReclaimedSpace> {
  if (!store.vacuumIncrementally) return { pages: 0, freePagesLeft: 0 };
  const pragma = async (text: string) =>
    Number(Object.values((await sql.raw<Record<string, unknown>>(`pragma ${text}`).execute(store.db)).rows[0] ?? {})[0] ?? 0);
  const before = await pragma('freelist_count');
  // 2 = incremental: otherwise incremental_vacuum does nothing and the pages stay for reuse.
  if (before === 0 || (await pragma('auto_vacuum')) !== 2) return { pages: 0, freePagesLeft: before };
  // Holding Kysely's one SQLite connection, so that the pragma never runs inside someone else's transaction.
  const vacuum = store.vacuumIncrementally;
  await store.db.connection().execute(async () => vacuum(maxPages));
  const after = await pragma('freelist_count');
  return { pages: before - after, freePagesLeft: after };
}

/**
 * Puts a SQLite database created before Relais set incremental auto-vacuum into that mode, with
 * one full VACUUM (it rewrites the file: run it with Relais stopped, and room for a copy of the
 * file on disk). Returns false when there was nothing to do (already incremental, or PostgreSQL).
 */
export async function enableIncrementalVacuum(store: Store): Promise<boolean> {
  if (store.capabilities.dialect !== 'sqlite') return false;
  const { rows } = await sql.raw<{ auto_vacuum: number }>('pragma auto_vacuum').execute(store.db);
  if (Number(rows[0]?.auto_vacuum) === 2) return false;
  await sql.raw('pragma auto_vacuum = INCREMENTAL').execute(store.db);
  await sql.raw('vacuum').execute(store.db);
  return true;
}
