// Signed webhooks: the platform's endpoints, one delivery row per event and endpoint (written
// in the transaction of the change the event describes), and every attempt to deliver it.
// Signing secrets are sealed with the key ring like relay passwords; during a rotation the
// previous secret stays (sealed) until `previous_secret_until`.
import type { Kysely } from 'kysely';
import type { Capabilities } from '../capabilities.ts';

export async function up(db: Kysely<unknown>, caps: Capabilities): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    /** JSON array of event types, or null for every type. */
    .addColumn('event_types', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    /** Why Relais disabled it: `gone` (410), `failing` (5 days of failures); null when enabled or disabled by the platform. */
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', 'bigint')
    .addColumn('sealed_secret', 'text', (c) => c.notNull())
    .addColumn('previous_sealed_secret', 'text')
    .addColumn('previous_secret_until', 'bigint')
    /** First failed attempt since the last success. */
    .addColumn('failing_since', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    /** The `webhook-id` header: the event's id, the same for every endpoint and every retry. */
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    /** The exact body sent, so retries carry the same bytes (and signatures over them). */
    .addColumn('payload', 'text', (c) => c.notNull())
    /** pending, delivering, delivered, failed (retries exhausted), dropped (endpoint disabled or deleted). */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_by_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'status']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', caps.serialType, (c) => (caps.serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    /** HTTP status of the answer; null when none came (timeout, refused address, connection error). */
    .addColumn('http_status', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    /** timeout, address_not_allowed, connection_failed… when no answer came. */
    .addColumn('error_code', 'text')
    /** The start of the answer's body, sanitized and truncated. */
    .addColumn('response', 'text')
    .addColumn('next_attempt_at', 'bigint')
    .execute();
  await db.schema.createIndex('webhook_attempts_by_endpoint').on('webhook_attempts').columns(['endpoint_id', 'id']).execute();
}
