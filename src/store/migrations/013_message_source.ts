// Where a message came from (`api`, or `smtp` for SMTP submission), and the Message-ID an SMTP
// client submitted, unique per organization: a client that retries after a dropped connection
// names the message it already sent.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('source', 'text', (c) => c.notNull().defaultTo('api')).execute();
  await db.schema.alterTable('messages').addColumn('submitted_message_id', 'text').execute();
  await db.schema
    .createIndex('messages_submitted_message_id')
    .unique()
    .on('messages')
    .columns(['organization_id', 'submitted_message_id'])
    .execute();
}
