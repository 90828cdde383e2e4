// The subject as a column, so that the delivery log lists it without reading message bodies.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('subject', 'text').execute();
}
