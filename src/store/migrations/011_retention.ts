// Retention and erasure. `messages.content_deleted_at` says when a message's content (bodies,
// attachments, custom headers, recipients' names) was deleted, by retention or an erasure; its
// delivery-log metadata stays until the log's own limit. `organization_retention` holds the
// limits an organization chose shorter than the operator's. Indexes let the pruner find the
// oldest rows of each kind without reading the rest: the partial ones cover only messages that
// still hold content, so pruning never walks back over what it already pruned.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('content_deleted_at', 'bigint').execute();
  await db.schema.createIndex('messages_sent_at').on('messages').column('sent_at').execute();
  await db.schema.createIndex('messages_failed_at').on('messages').column('failed_at').execute();
  await db.schema
    .createIndex('messages_content_sent')
    .on('messages')
    .column('sent_at')
    .where(sql.ref('content_deleted_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('messages_content_failed')
    .on('messages')
    .column('failed_at')
    .where(sql.ref('content_deleted_at'), 'is', null)
    .execute();
  await db.schema.createIndex('events_created_at').on('events').column('created_at').execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema
    .createTable('organization_retention')
    .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id'))
    .addColumn('content_days', 'integer')
    .addColumn('log_days', 'integer')
    .addColumn('events_days', 'integer')
    .addColumn('audit_days', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
