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
  if (store.capabilities.dialect !== 'sqlite') return { pages: 0, freePagesLeft: 0 };
  const pragma = async (text: string) =>
    Number(Object.values((await sql.raw<Record<string, unknown>>(`pragma ${text}`).execute(store.db)).rows[0] ?? {})[0] ?? 0);
  const before = await pragma('freelist_count');
  // 2 = incremental: otherwise incremental_vacuum does nothing and the pages stay for reuse.
  if (before === 0 || (await pragma('auto_vacuum')) !== 2) return { pages: 0, freePagesLeft: before };
  await sql.raw(`pragma incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`).execute(store.db);
  const after = await pragma('freelist_count');
  return { pages: before - after, freePagesLeft: after };
}
