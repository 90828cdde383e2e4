/**
 * How a relay signs in: a password (user name + password), or OAuth2 app sign-in, where the
 * relay's application obtains access tokens and signs in with `AUTH XOAUTH2` as the mailbox
 * (`username`).
 *
 * oauth2-microsoft  An Entra application (tenant id, client id) with a client secret:
 *                   client-credentials grant, scope https://outlook.office365.com/.default.
 * oauth2-google     A Google Cloud service account with domain-wide delegation: a JWT
 *                   assertion signed with its private key, scope https://mail.google.com/.
 *
 * oauth2-connected  "Connect with Microsoft / Google": the owner signed in at the provider and
 *                   consented; the platform's application refreshes access tokens with the
 *                   refresh token it received (the secret here), for the mailbox `user`.
 *
 * The secret (the client secret, the service account's private key) is write-only and sealed
 * like a password, in the same column, with its own purpose bound into the envelope. What is
 * kept here in clear is only what identifies the application.
 */
import { AppError } from '../errors.ts';

export type RelayAuth =
  | { type: 'password' }
  | { type: 'oauth2-microsoft'; tenantId: string; clientId: string; clientSecretExpiresAt: number | null }
  | { type: 'oauth2-google'; clientEmail: string; clientId: string | null; privateKeyId: string | null }
  | { type: 'oauth2-connected'; provider: 'microsoft' | 'google'; user: string };

export type RelayAuthType = RelayAuth['type'];

export const PASSWORD_AUTH: RelayAuth = { type: 'password' };

/** Purposes bound into the sealed secret: a client secret never opens as a password, nor the reverse. */
export const OAUTH_SECRET_PURPOSES = { 'oauth2-microsoft': 'oauth2-client-secret', 'oauth2-google': 'oauth2-private-key', 'oauth2-connected': 'oauth2-refresh-token' } as const;

export function isOAuth(auth: RelayAuth): auth is Exclude<RelayAuth, { type: 'password' }> {
  return auth.type !== 'password';
}

/** What identifies the application: changed, the stored secret may not be reused (it only goes to the application it was saved for). */
export function authIdentityChanged(stored: RelayAuth, next: RelayAuth): boolean {
  if (stored.type !== next.type) return true;
  if (stored.type === 'oauth2-microsoft' && next.type === 'oauth2-microsoft') {
    return stored.tenantId.toLowerCase() !== next.tenantId.toLowerCase() || stored.clientId.toLowerCase() !== next.clientId.toLowerCase();
  }
  if (stored.type === 'oauth2-connected' && next.type === 'oauth2-connected') {
    return stored.provider !== next.provider || stored.user.toLowerCase() !== next.user.toLowerCase();
  }
  return false;
}

/** The secret's name in messages. */
export function secretName(type: RelayAuthType): string {
  return type === 'oauth2-microsoft' ? 'client secret' : type === 'oauth2-google' ? 'service account key' : type === 'oauth2-connected' ? 'connection' : 'password';
}

export interface ServiceAccountKey {
  clientEmail: string;
  clientId: string | null;
  privateKeyId: string | null;
  privateKey: string;
}

const PEM_PRIVATE_KEY = /^-----BEGIN PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PRIVATE KEY-----\r?\n?$/;

/**
 * Reads a Google service account key file (JSON). Its `token_uri` is ignored: tokens are only
 * ever requested from the operator's RELAIS_OAUTH_GOOGLE_TOKEN_URL (a key is input, not a
 * place to connect to). Errors never quote the file.
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
  const invalid = (why: string) => new AppError('invalid_service_account_key', `The service account key is not usable: ${why}. Upload the JSON key file as downloaded from the Google Cloud console.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('it is not JSON');
  }
  if (typeof json !== 'object' || json === null) throw invalid('it is not a JSON object');
  const key = json as Record<string, unknown>;
  if (key.type !== 'service_account') throw invalid('its "type" is not "service_account"');
  const clientEmail = key.client_email;
  if (typeof clientEmail !== 'string' || !/^[^\s@]{1,200}@[^\s@]{1,200}$/.test(clientEmail)) throw invalid('"client_email" is missing');
  const privateKey = key.private_key;
  if (typeof privateKey !== 'string' || !PEM_PRIVATE_KEY.test(privateKey)) throw invalid('"private_key" is missing or not a PEM private key');
  const clientId = typeof key.client_id === 'string' && /^\d{1,40}$/.test(key.client_id) ? key.client_id : null;
  const privateKeyId = typeof key.private_key_id === 'string' && /^[0-9a-f]{1,80}$/i.test(key.private_key_id) ? key.private_key_id : null;
  return { clientEmail, clientId, privateKeyId, privateKey };
}

/** Microsoft turns basic authentication for SMTP AUTH off by default for existing tenants at the end of December 2026. */
export const MICROSOFT_BASIC_AUTH_OFF = Date.UTC(2026, 11, 31);
const EXPIRY_WARNING_MS = 30 * 24 * 3600_000;

export interface AuthWarning {
  code: 'client_secret_expiring' | 'client_secret_expired' | 'microsoft_basic_auth_retiring';
  message: string;
}

/** What the status card warns about a relay's sign-in at `now`. */
export function authWarnings(relay: { preset: string; auth: RelayAuth }, now: number): AuthWarning[] {
  const { auth } = relay;
  if (auth.type === 'oauth2-microsoft' && auth.clientSecretExpiresAt !== null && auth.clientSecretExpiresAt - now < EXPIRY_WARNING_MS) {
    const date = new Date(auth.clientSecretExpiresAt).toISOString().slice(0, 10);
    return auth.clientSecretExpiresAt <= now
      ? [{ code: 'client_secret_expired', message: `The client secret expired on ${date}: create a new one in Microsoft Entra and enter its value.` }]
      : [{ code: 'client_secret_expiring', message: `The client secret expires on ${date}: create a new one in Microsoft Entra and enter its value before then.` }];
  }
  if (relay.preset === 'microsoft-365' && auth.type === 'password') {
    return [
      {
        code: 'microsoft_basic_auth_retiring',
        message:
          'Microsoft turns off password sign-in for SMTP (basic authentication) by default at the end of December 2026: switch this relay to app sign-in (OAuth2) before then, or sending will fail with 535 5.7.139.',
      },
    ];
  }
  return [];
}
