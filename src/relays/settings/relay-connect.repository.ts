// SQL of "Connect with Microsoft / Google" authorizations in progress (oauth_connect_states).
import { sql } from 'kysely';
import type { Executor } from '../../store/store.ts';

export interface ConnectState {
  stateHash: string;
  organizationId: string;
  requestedBy: string;
  provider: 'microsoft' | 'google';
  codeVerifier: string;
  nonce: string;
  loginHint: string | null;
  createdAt: number;
  expiresAt: number;
}

export async function insertConnectState(db: Executor, state: ConnectState, now: number): Promise<void> {
  // Expired authorizations go as new ones come: the table stays small.
  await db.deleteFrom('oauth_connect_states').where('expires_at', '<=', now).execute();
  await db
    .insertInto('oauth_connect_states')
    .values({
      state_hash: state.stateHash,
      organization_id: state.organizationId,
      requested_by: state.requestedBy,
      provider: state.provider,
      code_verifier: state.codeVerifier,
      nonce: state.nonce,
      login_hint: state.loginHint,
      created_at: state.createdAt,
      expires_at: state.expiresAt,
    })
    .execute();
}

/** Deletes the state and returns it: a state is used once, whatever comes of it (several processes: one wins). */
export async function takeConnectState(db: Executor, stateHash: string): Promise<ConnectState | undefined> {
  const row = await db.deleteFrom('oauth_connect_states').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
  if (!row) return undefined;
  return {
    stateHash: row.state_hash,
    organizationId: row.organization_id,
    requestedBy: row.requested_by,
    provider: row.provider === 'google' ? 'google' : 'microsoft',
    codeVerifier: row.code_verifier,
    nonce: row.nonce,
    loginHint: row.login_hint,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

/** Organizations whose connected mailbox's refresh token has not been used since `before` (oldest first). */
export async function idleConnectedRelays(db: Executor, before: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('smtp_relays')
    .select('organization_id')
    .where('auth', 'like', '%"type":"oauth2-connected"%')
    .where((eb) => eb(eb.fn.coalesce('connected_refreshed_at', 'updated_at'), '<', before))
    .orderBy(sql`coalesce(connected_refreshed_at, updated_at)`)
    .limit(limit)
    .execute();
  return rows.map((r) => r.organization_id);
}
