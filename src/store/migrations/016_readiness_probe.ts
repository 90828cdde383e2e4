// One row that /readyz rewrites to learn whether the database takes writes right now (a full
// disk, an I/O error, a lock held elsewhere, a read-only failover target).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('readiness_probe')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('written_at', 'bigint', (c) => c.notNull())
    .execute();
}
