// Each organization's own SMTP relay: settings, sealed password, version, status and the
// outcome of its latest verification.
import type { Kysely } from 'kysely';
import type { Capabilities } from '../capabilities.ts';

export async function up(db: Kysely<unknown>, _caps: Capabilities): Promise<void> {
  await db.schema
    .createTable('smtp_relays')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // One relay per organization.
    .addColumn('organization_id', 'text', (c) => c.notNull().unique().references('organizations.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('preset', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('security', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('password_sealed', 'text', (c) => c.notNull())
    .addColumn('from_email', 'text', (c) => c.notNull())
    .addColumn('from_name', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text')
    .addColumn('fallback_policy', 'text', (c) => c.notNull())
    .addColumn('allow_self_signed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_changed_at', 'bigint', (c) => c.notNull())
    .addColumn('active_since', 'bigint')
    .addColumn('verified_version', 'integer')
    .addColumn('verified_at', 'bigint')
    .addColumn('last_check_version', 'integer')
    .addColumn('last_check_at', 'bigint')
    .addColumn('last_check_passed', 'integer')
    .addColumn('last_check_error_code', 'text')
    .addColumn('last_check_reply', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
