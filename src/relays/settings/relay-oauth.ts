// OAuth2 app sign-in of a relay: which stored auth a save leads to, the purpose its secret is
// sealed under, and the XOAUTH2 authenticator its connections (delivery, checks, probes) use,
// drawing tokens from the process's cache for this exact relay version.
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import type { SmtpAuthenticator } from '../../smtp/authenticator.ts';
import type { OAuthTokenCache } from '../../smtp/oauth/token-cache.ts';
import { googleTokenProvider, microsoftTokenProvider, type AccessToken, type TokenProvider } from '../../smtp/oauth/token-provider.ts';
import { xoauth2Authenticator } from '../../smtp/oauth/xoauth2.ts';
import { OAUTH_SECRET_PURPOSES, PASSWORD_AUTH, type RelayAuth } from '../relay-auth.ts';
import { SMTP_PASSWORD_PURPOSE, type Relay } from '../relay.ts';

export interface RelayOAuthOptions {
  /** RELAIS_OAUTH_MICROSOFT_AUTHORITY */
  microsoftAuthority: string;
  /** RELAIS_OAUTH_GOOGLE_TOKEN_URL */
  googleTokenUrl: string;
  tokens: OAuthTokenCache;
  /** "Connect with Microsoft / Google": the platform's applications (RELAIS_OAUTH_*_CLIENT_*). */
  connect?: Config['oauth']['connect'];
  /**
   * "Connect with Microsoft / Google": a new access token from the relay's refresh token (the
   * relay service reads, uses and replaces the stored one in one transaction).
   */
  connected?: (relay: RelaySignIn) => Promise<AccessToken>;
}

/** The auth of a save: a Google account without a new key file keeps the stored account (`clientEmail` absent). */
export type RelayAuthInput = RelayAuth | { type: 'oauth2-google'; clientEmail?: undefined } | { type: 'oauth2-connected'; provider?: undefined };

/** What app sign-in needs of a relay: its identity and version (the token cache's key), mailbox and auth. */
export type RelaySignIn = Pick<Relay, 'id' | 'version' | 'username' | 'auth'>;

export function resolveAuth(input: RelayAuthInput | undefined, stored: RelayAuth | undefined): RelayAuth {
  if (input === undefined) return PASSWORD_AUTH;
  if (input.type === 'oauth2-connected') {
    if (input.provider !== undefined) return input;
    // A save keeps the connected mailbox; connecting another one goes through the provider.
    if (stored?.type === 'oauth2-connected') return stored;
    throw new AppError('oauth_connect_required', 'Use "Connect with Microsoft" or "Connect with Google" to connect a mailbox.');
  }
  if (input.type !== 'oauth2-google' || input.clientEmail !== undefined) return input;
  if (stored?.type === 'oauth2-google') return stored;
  throw new AppError('password_required', 'Upload the service account key file (JSON) to set up Google app sign-in.');
}

export function secretPurpose(auth: RelayAuth): string {
  return auth.type === 'password' ? SMTP_PASSWORD_PURPOSE : OAUTH_SECRET_PURPOSES[auth.type];
}

function tokenProvider(relay: RelaySignIn, secret: string, options: RelayOAuthOptions, clock: Clock): TokenProvider {
  const { auth } = relay;
  switch (auth.type) {
    case 'oauth2-microsoft':
      return microsoftTokenProvider(options.microsoftAuthority, { tenantId: auth.tenantId, clientId: auth.clientId, clientSecret: secret }, clock);
    case 'oauth2-google':
      return googleTokenProvider(
        options.googleTokenUrl,
        { clientEmail: auth.clientEmail, privateKey: secret, ...(auth.privateKeyId ? { privateKeyId: auth.privateKeyId } : {}), user: relay.username },
        clock,
      );
    case 'oauth2-connected': {
      const { connected } = options;
      if (!connected) throw new Error('Connected mailboxes are not configured in this process');
      return () => connected(relay);
    }
    case 'password':
      throw new Error('A password relay has no token provider');
  }
}

/** The XOAUTH2 authenticator of `relay` (its secret opened by the caller), tokens cached per relay version. */
export function relayAuthenticator(relay: RelaySignIn, secret: string, options: RelayOAuthOptions, clock: Clock): SmtpAuthenticator {
  const tokens = options.tokens.source(relay.id, relay.version, tokenProvider(relay, secret, options, clock));
  return xoauth2Authenticator({ user: relay.username, tokens, clock });
}
