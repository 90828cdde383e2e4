/**
 * "Connect with Microsoft / Google": an owner signs in at the provider and consents, and the
 * relay signs in with XOAUTH2 as that mailbox, with access tokens from the refresh token the
 * provider returns (authorization code grant with PKCE, RFC 7636).
 *
 * authorization request  Built here for one organization and one person: a random `state`
 *                        (only its SHA-256 is stored, used once, valid CONNECT_STATE_TTL_MS),
 *                        a PKCE verifier (S256 challenge sent) and an OpenID nonce.
 * platform application   One per provider, registered by the platform (RELAIS_OAUTH_*_CLIENT_*);
 *                        a provider without one is not offered.
 */
import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { Clock } from '../../clock.ts';
import type { ConnectApplication, Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import type { Db } from '../../store/store.ts';
import type { Actor } from '../../tenants/actor.ts';
import { ConnectError, exchangeCode, remoteKeys, revokeRefreshToken } from '../../smtp/oauth/connected-tokens.ts';
import { findOrganization, recordAudit } from '../../tenants/tenants.ts';
import type { JWTVerifyGetKey } from 'jose';
import type { PresetId } from './presets.ts';
import { findPreset } from './presets.ts';
import { idleConnectedRelays, insertConnectState, takeConnectState } from './relay-connect.repository.ts';
import type { RelayService } from './relay.service.ts';
import type { Relay } from '../relay.ts';
import { OAuthTokenError } from '../../smtp/oauth/token-provider.ts';
import { classify } from '../../smtp/reply-classification.ts';

export type ConnectProvider = 'microsoft' | 'google';
export const CONNECT_PROVIDERS = ['microsoft', 'google'] as const;

/**
 * A connected mailbox not used for this long gets its refresh token used anyway, well before the
 * provider's inactivity limit (Microsoft: 90 days), so that it never dies of silence.
 */
export const IDLE_REFRESH_MS = 30 * 24 * 3600_000;

/** How long an owner has to consent at the provider. */
export const CONNECT_STATE_TTL_MS = 10 * 60_000;

/** Scopes: the mailbox address (ID token), a refresh token, and SMTP sending. */
export const CONNECT_SCOPES: Record<ConnectProvider, string> = {
  microsoft: 'openid email offline_access https://outlook.office.com/SMTP.Send',
  google: 'openid email https://mail.google.com/',
};

export type ConnectConfig = Config['oauth'];

export interface ConnectDeps {
  db: Db;
  clock: Clock;
  oauth: ConnectConfig;
  relays: RelayService;
  /** The idle refresh found the authorization gone (invalid_grant): relay health marks the relay for reconnection. */
  onAuthorizationLost?: (relay: Relay) => Promise<void>;
}

/** How a callback ended: the settings page shows `code`'s message (FR/EN), never a provider's raw error. */
export type ConnectOutcome =
  | 'connected'
  | 'oauth_state_invalid'
  | 'oauth_state_expired'
  | 'oauth_state_mismatch'
  | 'oauth_consent_refused'
  | 'oauth_account_mismatch'
  /** Anything else (the database unavailable, the provider's server refused by the address guard): logged, never shown raw. */
  | 'oauth_connect_failed'
  | ConnectError['code'];

/** Microsoft's tenant of personal accounts (Outlook.com, Hotmail). */
const MICROSOFT_CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** The endpoints of a provider, all from the operator's configuration. */
export function providerEndpoints(provider: ConnectProvider, config: ConnectConfig) {
  if (provider === 'microsoft') {
    // `common`: work accounts (Microsoft 365) and personal ones (Outlook.com).
    const base = `${config.microsoftAuthority}/common`;
    return {
      authorization: `${base}/oauth2/v2.0/authorize`,
      token: `${base}/oauth2/v2.0/token`,
      jwks: `${base}/discovery/v2.0/keys`,
      revocation: null,
    };
  }
  return {
    authorization: config.connect.googleAuthorizationUrl,
    token: config.googleTokenUrl,
    jwks: config.connect.googleJwksUrl,
    // Beside the token endpoint: https://oauth2.googleapis.com/revoke.
    revocation: new URL('revoke', config.googleTokenUrl).toString(),
  };
}

export function connectApplication(provider: ConnectProvider, config: ConnectConfig): ConnectApplication {
  const application = config.connect[provider];
  if (!application) {
    throw new AppError('oauth_provider_not_configured', `Connect with ${provider === 'microsoft' ? 'Microsoft' : 'Google'} is not offered on this platform: use app sign-in or a password.`);
  }
  return application;
}

export function hashState(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}

/** Who asked, as the state remembers it: the callback must come from the same person. */
export function requesterOf(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return `user:${actor.userId}`;
    case 'platform':
      return `api_key:${actor.apiKeyId}`;
    case 'system':
      return `system:${actor.name}`;
  }
}

export class RelayConnect {
  constructor(private readonly deps: ConnectDeps) {}

  /** The providers offered on this platform. */
  offered(): ConnectProvider[] {
    return CONNECT_PROVIDERS.filter((p) => this.deps.oauth.connect[p] !== undefined);
  }

  /** The provider's authorization URL for this organization and person; its state is stored hashed, for one use. */
  async start(organizationId: string, provider: ConnectProvider, loginHint: string | undefined, actor: Actor): Promise<{ authorizationUrl: string }> {
    const { clock, db, oauth: config } = this.deps;
    const application = connectApplication(provider, config);
    const state = oauth.generateRandomState();
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const now = clock.now();
    await insertConnectState(
      db,
      {
        stateHash: hashState(state),
        organizationId,
        requestedBy: requesterOf(actor),
        provider,
        codeVerifier,
        nonce,
        loginHint: loginHint ?? null,
        createdAt: now,
        expiresAt: now + CONNECT_STATE_TTL_MS,
      },
      now,
    );
    const url = new URL(providerEndpoints(provider, config).authorization);
    const params: Record<string, string> = {
      client_id: application.clientId,
      response_type: 'code',
      redirect_uri: config.connect.redirectUri,
      scope: CONNECT_SCOPES[provider],
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      // Each provider returns a refresh token only so: Microsoft with offline_access (and the
      // account chosen), Google with access_type=offline and a consent screen every time.
      ...(provider === 'microsoft' ? { prompt: 'select_account', response_mode: 'query' } : { prompt: 'consent', access_type: 'offline', include_granted_scopes: 'false' }),
      ...(loginHint ? { login_hint: loginHint } : {}),
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return { authorizationUrl: url.toString() };
  }

  private readonly keys = new Map<string, JWTVerifyGetKey>();

  private keysOf(url: string): JWTVerifyGetKey {
    let keys = this.keys.get(url);
    if (!keys) {
      keys = remoteKeys(url);
      this.keys.set(url, keys);
    }
    return keys;
  }

  /**
   * The provider's redirect (`GET /oauth/callback`): checks the state (known, unused, not
   * expired, from the person who asked), exchanges the code with the PKCE verifier, verifies
   * the ID token, and saves the relay signed in as the connected mailbox (refresh token sealed).
   * `caller` is the browser's session, if any. Never throws for what a person can cause.
   */
  async complete(query: { state?: string; code?: string; error?: string }, caller: Actor | undefined): Promise<{ outcome: ConnectOutcome; organizationId?: string }> {
    const { clock, db, oauth: config, relays } = this.deps;
    if (!query.state) return { outcome: 'oauth_state_invalid' };
    const state = await takeConnectState(db, hashState(query.state));
    if (!state) return { outcome: 'oauth_state_invalid' };
    const organizationId = state.organizationId;
    if (clock.now() >= state.expiresAt) return { outcome: 'oauth_state_expired', organizationId };
    if (state.requestedBy.startsWith('user:')) {
      // The person who clicked Connect, in a session that may act for this organization.
      const sameOrg = caller?.kind === 'user' && (caller.session.organizationId === null || caller.session.organizationId === organizationId);
      if (!caller || caller.kind !== 'user' || `user:${caller.userId}` !== state.requestedBy || !sameOrg) return { outcome: 'oauth_state_mismatch' };
    }
    if (query.error !== undefined || !query.code) return { outcome: 'oauth_consent_refused', organizationId };
    const application = config.connect[state.provider];
    if (!application) return { outcome: 'oauth_state_invalid', organizationId };
    const endpoints = providerEndpoints(state.provider, config);
    let connected: { refreshToken: string; mailbox: string; claims: Record<string, unknown> };
    try {
      connected = await exchangeCode(
        { provider: state.provider, clientId: application.clientId, clientSecret: application.clientSecret, tokenEndpoint: endpoints.token },
        query.code,
        config.connect.redirectUri,
        state.codeVerifier,
        {
          jwks: this.keysOf(endpoints.jwks),
          nonce: state.nonce,
          issuer: (claims) =>
            state.provider === 'microsoft'
              ? typeof claims.tid === 'string' ? [`${config.microsoftAuthority}/${claims.tid}/v2.0`] : []
              : [new URL(config.connect.googleAuthorizationUrl).origin, new URL(config.connect.googleAuthorizationUrl).host],
        },
        clock,
      );
    } catch (error) {
      if (error instanceof ConnectError) return { outcome: error.code, organizationId };
      throw error;
    }
    if (state.loginHint !== null && state.loginHint.toLowerCase() !== connected.mailbox) return { outcome: 'oauth_account_mismatch', organizationId };

    const org = await findOrganization(db, organizationId);
    if (!org) return { outcome: 'oauth_state_invalid' };
    const { relay: existing } = await relays.find(organizationId);
    const preset = findPreset(presetFor(state.provider, connected.claims, existing?.preset));
    if (!preset?.host) throw new Error('connect presets have a fixed server');
    const actor: Actor = caller ?? { kind: 'system', name: 'connect' };
    const reconnect = existing?.auth.type === 'oauth2-connected' && existing.auth.provider === state.provider && existing.auth.user === connected.mailbox;
    await relays.save(
      organizationId,
      {
        preset: preset.id,
        host: preset.host,
        port: preset.port,
        security: preset.security,
        username: connected.mailbox,
        password: connected.refreshToken,
        auth: { type: 'oauth2-connected', provider: state.provider, user: connected.mailbox },
        fromEmail: reconnect && existing ? existing.fromEmail : connected.mailbox,
        fromName: existing?.fromName ?? org.name,
        replyTo: existing?.replyTo ?? null,
        fallbackPolicy: existing?.fallbackPolicy ?? 'fallback',
        allowSelfSigned: false,
      },
      actor,
    );
    await recordAudit(db, {
      organizationId,
      actor,
      action: reconnect ? 'relay.reconnected' : 'relay.connected',
      target: 'smtp-relay',
      details: { provider: state.provider, mailbox: connected.mailbox },
      at: clock.now(),
    });
    return { outcome: 'connected', organizationId };
  }

  /**
   * Refreshes connected mailboxes idle for IDLE_REFRESH_MS (a few per call; the housekeeping
   * tick calls it). An authorization found gone (invalid_grant) marks the relay for
   * reconnection at once, as a failed send does; other failures (the provider unreachable) are
   * left to the relay's next use to report. Answers how many were refreshed.
   */
  async refreshIdle(limit = 10): Promise<number> {
    const { db, clock, relays } = this.deps;
    let refreshed = 0;
    for (const organizationId of await idleConnectedRelays(db, clock.now() - IDLE_REFRESH_MS, limit)) {
      const { relay } = await relays.find(organizationId);
      if (relay?.auth.type !== 'oauth2-connected') continue;
      try {
        await relays.refreshConnected(relay);
        refreshed += 1;
      } catch (error) {
        if (authorizationGone(error)) await this.deps.onAuthorizationLost?.(relay);
      }
    }
    return refreshed;
  }

  /**
   * Deletes the relay (DELETE …/smtp-relay, "Disconnect"); a connected mailbox's refresh token
   * is deleted with it and revoked at the provider where it offers revocation (Google; Microsoft
   * has no revocation endpoint for it). Revocation is best effort: the token is gone here anyway.
   * Answers whether there was a relay.
   */
  async remove(organizationId: string, actor: Actor): Promise<boolean> {
    const { relays, db, clock, oauth: config } = this.deps;
    const { relay } = await relays.find(organizationId);
    const connected = relay?.auth.type === 'oauth2-connected' ? relay.auth : undefined;
    let refreshToken: string | undefined;
    if (relay && connected) {
      try {
        refreshToken = relays.openPassword(relay);
      } catch {
        refreshToken = undefined;
      }
    }
    const removed = await relays.remove(organizationId, actor);
    if (!removed || !connected) return removed;
    const endpoints = providerEndpoints(connected.provider, config);
    const application = config.connect[connected.provider];
    const revoked =
      refreshToken !== undefined && application !== undefined && endpoints.revocation !== null
        ? await revokeRefreshToken({ provider: connected.provider, ...application, tokenEndpoint: endpoints.token }, endpoints.revocation, refreshToken)
        : false;
    await recordAudit(db, {
      organizationId,
      actor,
      action: 'relay.disconnected',
      target: 'smtp-relay',
      details: { provider: connected.provider, mailbox: connected.user, revokedAtProvider: revoked },
      at: clock.now(),
    });
    return true;
  }
}

/** The preset of a connected mailbox: personal accounts (Outlook.com, Gmail) or organizations' (Microsoft 365, Google Workspace). */
function presetFor(provider: ConnectProvider, claims: Record<string, unknown>, current: string | undefined): PresetId {
  if (provider === 'microsoft') return claims.tid === MICROSOFT_CONSUMER_TENANT ? 'outlook' : current === 'outlook' ? 'outlook' : 'microsoft-365';
  return typeof claims.hd === 'string' ? 'google-workspace' : current === 'google-workspace' ? 'google-workspace' : 'gmail';
}

/** The token endpoint refused the refresh token for good: the classification table's `oauth-reconnect`. */
function authorizationGone(error: unknown): boolean {
  return error instanceof OAuthTokenError && classify({ stage: 'auth', network: 'OAUTH2_TOKEN', text: error.reason }).explanation === 'oauth-reconnect';
}
