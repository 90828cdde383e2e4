// "Connect with Microsoft / Google": the authorizations in progress. One row per connect
// request, found by the SHA-256 of its `state` (the state itself only travels in the browser),
// bound to the organization and the person who asked, used once, expiring after minutes.
// The PKCE verifier and the nonce are useless without the authorization code, which only the
// provider's redirect carries. `connected_refreshed_at` is when a connected mailbox's refresh
// token was last used: idle relays are refreshed before the provider's inactivity limit.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_connect_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('login_hint', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_connect_states_expiry').on('oauth_connect_states').column('expires_at').execute();
  await db.schema.alterTable('smtp_relays').addColumn('connected_refreshed_at', 'bigint').execute();
}
