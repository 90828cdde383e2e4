// Sign-in and flight-check attempts counted in the database, so that their limits hold across
// every API process sharing it (PostgreSQL). One row per limited key.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('attempt_counts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('attempts', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attempt_counts_expiry').on('attempt_counts').column('expires_at').execute();
}
