// Per-recipient delivery state, platform events, and resends linked to their original.
import type { Kysely } from 'kysely';
import type { Capabilities } from '../capabilities.ts';

export async function up(db: Kysely<unknown>, caps: Capabilities): Promise<void> {
  await db.schema
    .createTable('message_recipients')
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    /** Lower-cased, so that the delivery log can filter by recipient. */
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reply', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_recipients_pk', ['message_id', 'position'])
    .execute();
  await db.schema.createIndex('message_recipients_by_address').on('message_recipients').columns(['address', 'message_id']).execute();

  await db.schema
    .createTable('events')
    .addColumn('id', caps.serialType, (c) => (caps.serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('messages').addColumn('resent_from', 'text').execute();
  await db.schema.createIndex('messages_by_org_category').on('messages').columns(['organization_id', 'category']).execute();
}
