// The subject as a column, so that the delivery log lists it without reading message bodies;
// the failure class of each attempt, as the classification table decided it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('subject', 'text').execute();
  await db.schema.alterTable('message_attempts').addColumn('failure_class', 'text').execute();
}
