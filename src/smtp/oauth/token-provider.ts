/**
 * OAuth2 app (daemon) sign-in — how Relais obtains the access tokens it presents with
 * `AUTH XOAUTH2`.
 *
 * token provider  Fetches one access token for one relay's settings from the operator's token
 *                 endpoint: Microsoft's client-credentials grant, or Google's JWT-bearer grant
 *                 with an assertion signed by the service account's key. The endpoints come
 *                 from the operator's configuration only (RELAIS_OAUTH_*), never from what an
 *                 owner typed or a key file says.
 * access token    Opaque to Relais; never logged, stored or returned. Kept in memory by the
 *                 token cache (token-cache.ts) until shortly before it expires.
 *
 * HTTP and the grant's rules are oauth4webapi's; the Google assertion is signed with jose.
 */
import { importPKCS8, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import type { Clock } from '../../clock.ts';

export type OAuthProvider = 'microsoft' | 'google';

export interface AccessToken {
  token: string;
  /** Clock time (ms) the token stops being valid. */
  expiresAt: number;
  provider: OAuthProvider;
}

/** Fetches a new access token (no caching: see token-cache.ts). */
export type TokenProvider = () => Promise<AccessToken>;

export const MICROSOFT_SMTP_SCOPE = 'https://outlook.office365.com/.default';
export const GOOGLE_MAIL_SCOPE = 'https://mail.google.com/';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_REQUEST_TIMEOUT_MS = 20_000;

/**
 * The token endpoint refused or could not be reached. `reason` is what the classification
 * table reads: `<provider> <error>[ AADSTS<n>]`, or `<provider> unreachable` — never a secret,
 * never the endpoint's free text.
 */
export class OAuthTokenError extends Error {
  readonly code = 'EOAUTH2';
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Could not get an OAuth2 access token: ${reason}`, options);
    this.name = 'OAuthTokenError';
  }
}

export function isOAuthTokenError(error: unknown): error is OAuthTokenError {
  return error instanceof OAuthTokenError;
}

export interface MicrosoftAppCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface GoogleServiceAccount {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  /** The mailbox to act as (domain-wide delegation). */
  user: string;
}

function requestOptions(url: string): oauth.TokenEndpointRequestOptions {
  return { signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS), [oauth.allowInsecureRequests]: url.startsWith('http://') };
}

/** Reads the token response, or throws OAuthTokenError with the endpoint's error code. */
async function obtain(provider: OAuthProvider, clock: Clock, request: () => Promise<Response>, process: (response: Response) => Promise<oauth.TokenEndpointResponse>): Promise<AccessToken> {
  const requestedAt = clock.now();
  let response: Response;
  try {
    response = await request();
  } catch (error) {
    throw new OAuthTokenError(`${provider} unreachable`, { cause: error });
  }
  try {
    const body = await process(response);
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    return { token: body.access_token, expiresAt: requestedAt + lifetime * 1000, provider };
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) {
      // Microsoft names the precise cause as AADSTS<n>, in the description and in error_codes.
      const codes = error.cause.error_codes;
      const first = Array.isArray(codes) && typeof codes[0] === 'number' ? String(codes[0]) : undefined;
      const aadsts = provider === 'microsoft' ? (/AADSTS(\d+)/.exec(error.error_description ?? '')?.[1] ?? first) : undefined;
      const code = /^[a-z_]{1,64}$/.test(error.error) ? error.error : 'error';
      throw new OAuthTokenError(`${provider} ${code}${aadsts ? ` AADSTS${aadsts}` : ''}`, { cause: error });
    }
    // A body that is not an OAuth answer (an HTML error page, a 5xx): the endpoint is not usable.
    throw new OAuthTokenError(`${provider} unreachable`, { cause: error });
  }
}

/** Microsoft identity platform: client-credentials grant at `${authority}/${tenantId}/oauth2/v2.0/token`. */
export function microsoftTokenProvider(authority: string, credentials: MicrosoftAppCredentials, clock: Clock): TokenProvider {
  const tokenEndpoint = `${authority}/${encodeURIComponent(credentials.tenantId)}/oauth2/v2.0/token`;
  const as: oauth.AuthorizationServer = { issuer: `${authority}/${encodeURIComponent(credentials.tenantId)}/v2.0`, token_endpoint: tokenEndpoint };
  const client: oauth.Client = { client_id: credentials.clientId };
  return () =>
    obtain(
      'microsoft',
      clock,
      () =>
        oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost(credentials.clientSecret), { scope: MICROSOFT_SMTP_SCOPE }, requestOptions(tokenEndpoint)),
      (response) => oauth.processClientCredentialsResponse(as, client, response),
    );
}

/** Google: a service-account assertion (RS256) exchanged with the JWT-bearer grant at the configured token URL. */
export function googleTokenProvider(tokenUrl: string, account: GoogleServiceAccount, clock: Clock): TokenProvider {
  const as: oauth.AuthorizationServer = { issuer: new URL(tokenUrl).origin, token_endpoint: tokenUrl };
  const client: oauth.Client = { client_id: account.clientEmail };
  return async () => {
    let assertion: string;
    try {
      const key = await importPKCS8(account.privateKey, 'RS256');
      const issuedAt = Math.floor(clock.now() / 1000);
      assertion = await new SignJWT({ scope: GOOGLE_MAIL_SCOPE })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(account.privateKeyId ? { kid: account.privateKeyId } : {}) })
        .setIssuer(account.clientEmail)
        .setSubject(account.user)
        .setAudience(tokenUrl)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 3600)
        .sign(key);
    } catch (error) {
      throw new OAuthTokenError('google invalid_key', { cause: error });
    }
    return obtain(
      'google',
      clock,
      () => oauth.genericTokenEndpointRequest(as, client, oauth.None(), JWT_BEARER, { assertion }, requestOptions(tokenUrl)),
      (response) => oauth.processGenericTokenEndpointResponse(as, client, response),
    );
  };
}
