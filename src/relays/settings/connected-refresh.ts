/**
 * A connected mailbox's new access token ("Connect with Microsoft / Google"): the stored refresh
 * token is read, used at the provider's token endpoint, and replaced by the rotated one the
 * provider answers (both providers rotate; the old one is then spent). A rotated token is never
 * lost, and two refreshes never spend the same token:
 *
 * one process   (SQLite: the database is this process's alone) refreshes of one relay run one
 *               after the other in this process; the token endpoint is called outside any
 *               transaction, so the database is never held while a provider answers, and the
 *               rotated token is written only over the token it replaces (compare and set).
 * processes     (PostgreSQL) the relay row is locked in a transaction from the read to the write
 *               of the rotated token: another process's refresh waits for it.
 */
import type { Clock } from '../../clock.ts';
import type { SecretKeys } from '../../secrets/key-source.ts';
import { refreshAccess } from '../../smtp/oauth/connected-tokens.ts';
import { OAuthTokenError, type AccessToken } from '../../smtp/oauth/token-provider.ts';
import type { Db, Executor } from '../../store/store.ts';
import { providerEndpoints } from './relay-connect.ts';
import { secretPurpose, type RelayOAuthOptions, type RelaySignIn } from './relay-oauth.ts';

export interface ConnectedRefreshDeps {
  db: Db;
  clock: Clock;
  secrets: SecretKeys;
  oauth?: RelayOAuthOptions;
  /** Whether other processes share the database (the backend's capability): then the row lock serializes refreshes. */
  sharedAcrossProcesses: boolean;
}

export class ConnectedRefresh {
  /** The last refresh started per relay id in this process: the next one waits for it. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: ConnectedRefreshDeps) {}

  async refresh(relay: RelaySignIn): Promise<AccessToken> {
    const { auth } = relay;
    const oauth = this.deps.oauth;
    if (auth.type !== 'oauth2-connected' || !oauth?.connect) throw new OAuthTokenError(`connected ${auth.type === 'oauth2-connected' ? auth.provider : 'microsoft'} not_configured`);
    const application = oauth.connect[auth.provider];
    if (!application) throw new OAuthTokenError(`connected ${auth.provider} not_configured`);
    const endpoints = providerEndpoints(auth.provider, { microsoftAuthority: oauth.microsoftAuthority, googleTokenUrl: oauth.googleTokenUrl, connect: oauth.connect });
    const app = { provider: auth.provider, clientId: application.clientId, clientSecret: application.clientSecret, tokenEndpoint: endpoints.token };
    const use = (refreshToken: string) => refreshAccess(app, refreshToken, this.deps.clock);
    if (this.deps.sharedAcrossProcesses) return this.deps.db.transaction().execute((tx) => this.refreshLocked(tx, relay, use));
    return this.oneAtATime(relay.id, () => this.refreshOutsideTransaction(relay, use));
  }

  /** PostgreSQL: read (row locked), use, write the rotated token, in one transaction. */
  private async refreshLocked(tx: Executor, relay: RelaySignIn, use: (token: string) => ReturnType<typeof refreshAccess>): Promise<AccessToken> {
    // A no-op write takes the row's write lock first.
    const row = await tx
      .updateTable('smtp_relays')
      .set((eb) => ({ password_sealed: eb.ref('password_sealed') }))
      .where('id', '=', relay.id)
      .where('version', '=', relay.version)
      .returning(['password_sealed', 'organization_id'])
      .executeTakeFirst();
    if (!row) throw this.relayChanged(relay);
    const { access, refreshToken: rotated } = await use(this.open(row.password_sealed, row.organization_id, relay));
    await this.saveRotated(tx, relay, row, rotated);
    return access;
  }

  /** SQLite: read, use the token with no transaction open, then write the rotated token over the one it replaces. */
  private async refreshOutsideTransaction(relay: RelaySignIn, use: (token: string) => ReturnType<typeof refreshAccess>): Promise<AccessToken> {
    const { db } = this.deps;
    const row = await db
      .selectFrom('smtp_relays')
      .select(['password_sealed', 'organization_id'])
      .where('id', '=', relay.id)
      .where('version', '=', relay.version)
      .executeTakeFirst();
    if (!row) throw this.relayChanged(relay);
    const { access, refreshToken: rotated } = await use(this.open(row.password_sealed, row.organization_id, relay));
    // Saved or reconnected meanwhile (a new version, another token): the rotated token of the old one has no use.
    await this.saveRotated(db, relay, row, rotated);
    return access;
  }

  private async saveRotated(db: Executor, relay: RelaySignIn, row: { password_sealed: string; organization_id: string }, rotated: string | null): Promise<void> {
    const sealed = rotated !== null ? this.deps.secrets.seal(rotated, { organizationId: row.organization_id, relayId: relay.id, purpose: secretPurpose(relay.auth) }) : null;
    await db
      .updateTable('smtp_relays')
      .set({ ...(sealed !== null ? { password_sealed: sealed } : {}), connected_refreshed_at: this.deps.clock.now() })
      .where('id', '=', relay.id)
      .where('version', '=', relay.version)
      .where('password_sealed', '=', row.password_sealed)
      .execute();
  }

  private open(sealed: string, organizationId: string, relay: RelaySignIn): string {
    return this.deps.secrets.open(sealed, { organizationId, relayId: relay.id, purpose: secretPurpose(relay.auth) });
  }

  private relayChanged(relay: RelaySignIn): OAuthTokenError {
    return new OAuthTokenError(`connected ${relay.auth.type === 'oauth2-connected' ? relay.auth.provider : 'microsoft'} relay_changed`);
  }

  /** Runs `work` after the relay's previous refresh in this process has settled. */
  private oneAtATime<T>(relayId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(relayId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(relayId, settled);
    void settled.then(() => {
      if (this.queues.get(relayId) === settled) this.queues.delete(relayId);
    });
    return next;
  }
}
