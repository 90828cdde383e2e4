// OAuth2 app sign-in for relays: how the relay signs in, as JSON without any secret
// (type, tenant and client ids, service account email, secret expiry; see relays/relay-auth.ts).
// NULL is a password relay. The application's secret or key is sealed in password_sealed,
// with its own purpose bound into the envelope. `notices_sent` (JSON list) remembers which
// one-time emails the owners already received about the relay's sign-in (secret expiry
// reminders, Microsoft's password switch-off).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('smtp_relays').addColumn('auth', 'text').execute();
  await db.schema.alterTable('smtp_relays').addColumn('notices_sent', 'text').execute();
}
