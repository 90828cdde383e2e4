/**
 * "Connect with Microsoft / Google" — the delegated tokens of a mailbox whose owner consented:
 *
 * code exchange   The authorization code (with its PKCE verifier) for a refresh token and an
 *                 ID token, at the provider's token endpoint, with the platform's application.
 * ID token        Verified here: RS256 signature against the provider's keys (JWKS), audience
 *                 (the platform's client id), issuer (Microsoft: `${authority}/${tid}/v2.0`,
 *                 the person's tenant; Google: its accounts origin), nonce, expiry.
 * refresh         A new access token from the refresh token; the provider may answer a new
 *                 refresh token (rotation), which the caller must keep instead of the old one.
 *
 * HTTP and the grants' rules are oauth4webapi's; the ID token is verified with jose.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import * as oauth from 'oauth4webapi';
import type { Clock } from '../../clock.ts';
import { OAuthTokenError, type AccessToken, type OAuthProvider } from './token-provider.ts';

export interface ConnectedApplication {
  provider: OAuthProvider;
  clientId: string;
  clientSecret: string;
  tokenEndpoint: string;
}

/** Why a connection could not be completed: a stable code the settings page explains. */
export class ConnectError extends Error {
  constructor(
    readonly code: 'oauth_code_refused' | 'oauth_id_token_invalid' | 'oauth_no_refresh_token' | 'oauth_provider_unreachable',
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'ConnectError';
  }
}

const REQUEST_TIMEOUT_MS = 20_000;

function parts(app: ConnectedApplication) {
  const as: oauth.AuthorizationServer = { issuer: new URL(app.tokenEndpoint).origin, token_endpoint: app.tokenEndpoint };
  const client: oauth.Client = { client_id: app.clientId };
  const options: oauth.TokenEndpointRequestOptions = { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), [oauth.allowInsecureRequests]: app.tokenEndpoint.startsWith('http://') };
  return { as, client, options, auth: oauth.ClientSecretPost(app.clientSecret) };
}

/** The token endpoint's JSON answer, or its error code (never its free text). */
async function readTokenResponse(response: Response): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; error: string }> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, error: 'unreachable' };
  }
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (!response.ok) return { ok: false, error: typeof record.error === 'string' && /^[a-z_]{1,64}$/.test(record.error) ? record.error : 'error' };
  return { ok: true, body: record };
}

export interface IdTokenExpectations {
  jwks: JWTVerifyGetKey;
  nonce: string;
  /** The issuer the token must name, given its verified claims (Microsoft's depends on the tenant). */
  issuer: (claims: Record<string, unknown>) => string[];
}

/** Keys of a JWKS URL (fetched once, then cached by jose). */
export function remoteKeys(url: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(url), { timeoutDuration: REQUEST_TIMEOUT_MS });
}

/** Exchanges the code; answers the refresh token and the mailbox the verified ID token names. */
export async function exchangeCode(
  app: ConnectedApplication,
  code: string,
  redirectUri: string,
  codeVerifier: string,
  expect: IdTokenExpectations,
  clock: Clock,
): Promise<{ refreshToken: string; mailbox: string; claims: Record<string, unknown> }> {
  const { as, client, options, auth } = parts(app);
  const params = oauth.validateAuthResponse(as, client, new URLSearchParams({ code }), oauth.skipStateCheck);
  let response: Response;
  try {
    response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, codeVerifier, options);
  } catch (error) {
    throw new ConnectError('oauth_provider_unreachable', `${app.provider} token endpoint unreachable`, { cause: error });
  }
  const answer = await readTokenResponse(response);
  if (!answer.ok) throw new ConnectError(answer.error === 'unreachable' ? 'oauth_provider_unreachable' : 'oauth_code_refused', `${app.provider} ${answer.error}`);
  const { id_token: idToken, refresh_token: refreshToken } = answer.body;
  if (typeof idToken !== 'string') throw new ConnectError('oauth_id_token_invalid', 'no ID token');
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(idToken, expect.jwks, { audience: app.clientId, algorithms: ['RS256'], currentDate: new Date(clock.now()), clockTolerance: 300 }));
  } catch (error) {
    throw new ConnectError('oauth_id_token_invalid', error instanceof Error && 'code' in error ? String(error.code) : 'not verified', { cause: error });
  }
  if (typeof claims.iss !== 'string' || !expect.issuer(claims).includes(claims.iss)) throw new ConnectError('oauth_id_token_invalid', 'unexpected issuer');
  if (claims.nonce !== expect.nonce) throw new ConnectError('oauth_id_token_invalid', 'unexpected nonce');
  const mailbox = mailboxOf(app.provider, claims);
  if (!mailbox) throw new ConnectError('oauth_id_token_invalid', 'no verified email address');
  if (typeof refreshToken !== 'string' || refreshToken === '') throw new ConnectError('oauth_no_refresh_token', `${app.provider} gave no refresh token`);
  return { refreshToken, mailbox, claims };
}

function mailboxOf(provider: OAuthProvider, claims: Record<string, unknown>): string | null {
  const address = (v: unknown) => (typeof v === 'string' && /^[^\s@]{1,64}@[^\s@]{1,253}$/.test(v) ? v.toLowerCase() : null);
  if (provider === 'google') return claims.email_verified === true ? address(claims.email) : null;
  return address(claims.email) ?? address(claims.preferred_username);
}

/**
 * A new access token from `refreshToken`; errors are OAuthTokenError with the reason
 * `connected <provider> <error>` (the classification table's `oauth-reconnect` on invalid_grant).
 * `refreshToken` in the answer is the rotated one (or null: keep the old).
 */
export async function refreshAccess(app: ConnectedApplication, refreshToken: string, clock: Clock): Promise<{ access: AccessToken; refreshToken: string | null }> {
  const { as, client, options, auth } = parts(app);
  const requestedAt = clock.now();
  let response: Response;
  try {
    response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, options);
  } catch (error) {
    throw new OAuthTokenError(`connected ${app.provider} unreachable`, { cause: error });
  }
  const answer = await readTokenResponse(response);
  if (!answer.ok) throw new OAuthTokenError(`connected ${app.provider} ${answer.error}`);
  const { access_token: token, expires_in: expiresIn, refresh_token: rotated } = answer.body;
  if (typeof token !== 'string') throw new OAuthTokenError(`connected ${app.provider} unreachable`);
  const lifetime = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 3600;
  return {
    access: { token, expiresAt: requestedAt + lifetime * 1000, provider: app.provider },
    refreshToken: typeof rotated === 'string' && rotated !== '' && rotated !== refreshToken ? rotated : null,
  };
}

/** Revokes `refreshToken` at the provider's revocation endpoint (RFC 7009); answers whether the provider confirmed. */
export async function revokeRefreshToken(app: ConnectedApplication, revocationEndpoint: string, refreshToken: string): Promise<boolean> {
  const { client, auth } = parts(app);
  const as: oauth.AuthorizationServer = { issuer: new URL(revocationEndpoint).origin, revocation_endpoint: revocationEndpoint };
  try {
    const response = await oauth.revocationRequest(as, client, auth, refreshToken, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      [oauth.allowInsecureRequests]: revocationEndpoint.startsWith('http://'),
      additionalParameters: { token_type_hint: 'refresh_token' },
    });
    await oauth.processRevocationResponse(response);
    return true;
  } catch {
    return false;
  }
}
