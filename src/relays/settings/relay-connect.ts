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
import { insertConnectState } from './relay-connect.repository.ts';

export type ConnectProvider = 'microsoft' | 'google';
export const CONNECT_PROVIDERS = ['microsoft', 'google'] as const;

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
}

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
    revocation: `${new URL(config.googleTokenUrl).origin}/revoke`,
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
}
