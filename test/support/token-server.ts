// A real local OAuth2 token server for tests of app sign-in (XOAUTH2), speaking HTTP as
// Microsoft's identity platform and Google's token endpoint do:
//
//   POST /microsoft/{tenant}/oauth2/v2.0/token  client-credentials grant: checks the tenant,
//        the application, its secret and the scope; Microsoft's AADSTS errors otherwise.
//   POST /google/token  JWT-bearer grant: verifies the assertion's RS256 signature with the
//        service account's public key, its claims (iss, sub, aud, scope, iat/exp against the
//        clock) and the domain-wide delegation; Google's errors otherwise.
//
// Tokens are opaque random strings that expire on the test's clock. `verifyXOAuth2` is what
// the XOAUTH2 smtp fixture asks: is this bearer token valid, and for which mailbox. Each error
// the product explains can be forced with `failNext`.
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { importSPKI, jwtVerify } from 'jose';
import type { Clock } from '../../src/clock.ts';
import type { XOAuth2Verdict } from './smtp-fixture.ts';

export interface MicrosoftApp {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Mailboxes the app's service principal has rights on (Add-MailboxPermission). */
  mailboxes: string[];
}

export interface GoogleServiceAccountFixture {
  clientEmail: string;
  clientId: string;
  privateKeyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
  /** Scopes granted by domain-wide delegation. */
  delegatedScopes: string[];
  /** Users of the domain it may act as. */
  users: string[];
}

/** A forced answer of the next token request. */
export type ForcedError = 'secret-expired' | 'consent-missing' | 'unavailable';

interface Issued {
  provider: 'microsoft' | 'google';
  clientId: string;
  /** Google: the delegated user; Microsoft: none (app token). */
  user: string | null;
  expiresAt: number;
}

export interface TokenRequestRecord {
  provider: 'microsoft' | 'google';
  path: string;
  ok: boolean;
}

export interface TokenServer {
  url: string;
  /** RELAIS_OAUTH_MICROSOFT_AUTHORITY for this server. */
  microsoftAuthority: string;
  /** RELAIS_OAUTH_GOOGLE_TOKEN_URL for this server. */
  googleTokenUrl: string;
  requests: TokenRequestRecord[];
  /** Every request body received (to prove secrets travel only here). */
  bodies: string[];
  lifetimeSeconds: number;
  failNext(error: ForcedError): void;
  revokeAll(): void;
  verifyXOAuth2(user: string, token: string): XOAuth2Verdict;
  close(): Promise<void>;
}

export const MICROSOFT_SCOPE = 'https://outlook.office365.com/.default';
export const GOOGLE_SCOPE = 'https://mail.google.com/';

/** A fresh RSA service account key, as the Google Cloud console's JSON key file carries it. */
export function newServiceAccount(overrides: Partial<Omit<GoogleServiceAccountFixture, 'privateKeyPem' | 'publicKeyPem'>> = {}): GoogleServiceAccountFixture {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    clientEmail: 'relais-mailer@school-project.iam.gserviceaccount.com',
    clientId: '112233445566778899001',
    privateKeyId: randomBytes(20).toString('hex'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    delegatedScopes: [GOOGLE_SCOPE],
    users: [],
    ...overrides,
  };
}

/** The JSON key file text of `account`; `tokenUri` as the file says (Relais must ignore it). */
export function serviceAccountKeyFile(account: GoogleServiceAccountFixture, tokenUri = 'https://oauth2.googleapis.com/token'): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'school-project',
    private_key_id: account.privateKeyId,
    private_key: account.privateKeyPem,
    client_email: account.clientEmail,
    client_id: account.clientId,
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
  });
}

const MICROSOFT_PATH = /^\/microsoft\/([^/]+)\/oauth2\/v2\.0\/token$/;

export async function startTokenServer(options: { clock: Clock; microsoft?: MicrosoftApp[]; google?: GoogleServiceAccountFixture[] }): Promise<TokenServer> {
  const { clock } = options;
  const apps = options.microsoft ?? [];
  const accounts = options.google ?? [];
  const issued = new Map<string, Issued>();
  const requests: TokenRequestRecord[] = [];
  const bodies: string[] = [];
  const forced: ForcedError[] = [];
  let googleTokenUrl = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const form = new URLSearchParams(body);
      const path = (req.url ?? '').split('?')[0] ?? '';
      const provider = path.startsWith('/google') ? 'google' : 'microsoft';
      const send = (status: number, json: Record<string, unknown>): void => {
        requests.push({ provider, path, ok: status === 200 });
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify(json));
      };
      const aad = (status: number, error: string, code: number, description: string): void =>
        send(status, { error, error_description: `AADSTS${code}: ${description} Trace ID: 0000 Correlation ID: 0000 Timestamp: 2026-12-01 09:00:00Z`, error_codes: [code] });
      const issue = (entry: Omit<Issued, 'expiresAt'>): void => {
        // Google's access tokens start with ya29. (the fixture answers them as Gmail does).
        const token = `${entry.provider === 'google' ? 'ya29.' : 'eyJ0'}${randomBytes(24).toString('base64url')}`;
        const lifetimeSeconds = tokenServer.lifetimeSeconds;
        issued.set(token, { ...entry, expiresAt: clock.now() + lifetimeSeconds * 1000 });
        send(200, { token_type: 'Bearer', expires_in: lifetimeSeconds, ext_expires_in: lifetimeSeconds, access_token: token });
      };

      if (req.method !== 'POST') return send(405, { error: 'invalid_request' });
      const force = forced.shift();
      if (force === 'unavailable') {
        requests.push({ provider, path, ok: false });
        res.writeHead(503, { 'content-type': 'text/html' });
        return res.end('<html><body>Service Unavailable</body></html>');
      }

      const microsoft = MICROSOFT_PATH.exec(path);
      if (microsoft) {
        const tenant = decodeURIComponent(microsoft[1] ?? '');
        if (force === 'secret-expired') return aad(401, 'invalid_client', 7000222, 'The provided client secret keys for app are expired.');
        if (force === 'consent-missing') return aad(400, 'invalid_grant', 65001, 'The user or administrator has not consented to use the application.');
        if (form.get('grant_type') !== 'client_credentials') return aad(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
        if (!apps.some((app) => app.tenantId === tenant)) return aad(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
        const app = apps.find((a) => a.tenantId === tenant && a.clientId === form.get('client_id'));
        if (!app) return aad(400, 'unauthorized_client', 700016, 'Application with identifier was not found in the directory.');
        if (form.get('client_secret') !== app.clientSecret) return aad(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
        if (form.get('scope') !== MICROSOFT_SCOPE) return aad(400, 'invalid_scope', 70011, 'The provided value for the input parameter scope is not valid.');
        return issue({ provider: 'microsoft', clientId: app.clientId, user: null });
      }

      if (path === '/google/token') {
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return send(400, { error: 'unsupported_grant_type' });
        void verifyAssertion(form.get('assertion') ?? '').then(
          (verdict) => (verdict.ok ? issue({ provider: 'google', clientId: verdict.clientId, user: verdict.user }) : send(400, { error: verdict.error, error_description: verdict.description })),
          () => send(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }),
        );
        return;
      }
      send(404, { error: 'not_found' });
    });
  });

  async function verifyAssertion(assertion: string): Promise<{ ok: true; clientId: string; user: string } | { ok: false; error: string; description: string }> {
    const [, payloadPart] = assertion.split('.');
    const claims = JSON.parse(Buffer.from(payloadPart ?? '', 'base64url').toString('utf8')) as { iss?: string };
    const account = accounts.find((a) => a.clientEmail === claims.iss);
    if (!account) return { ok: false, error: 'invalid_grant', description: 'Invalid JWT Signature.' };
    const key = await importSPKI(account.publicKeyPem, 'RS256');
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, key, {
        algorithms: ['RS256'],
        issuer: account.clientEmail,
        audience: googleTokenUrl,
        currentDate: new Date(clock.now()),
        maxTokenAge: '1h',
        clockTolerance: 60,
      }));
    } catch (error) {
      const skew = error instanceof Error && /"iat"|"exp"|timestamp/.test(error.message);
      return { ok: false, error: 'invalid_grant', description: skew ? 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.' : 'Invalid JWT Signature.' };
    }
    if (payload.scope !== GOOGLE_SCOPE) return { ok: false, error: 'invalid_scope', description: 'Invalid OAuth scope.' };
    if (!account.delegatedScopes.includes(GOOGLE_SCOPE)) {
      return { ok: false, error: 'unauthorized_client', description: 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.' };
    }
    if (typeof payload.sub !== 'string' || !account.users.includes(payload.sub)) return { ok: false, error: 'invalid_grant', description: 'Invalid email or User ID' };
    return { ok: true, clientId: account.clientId, user: payload.sub };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  googleTokenUrl = `${url}/google/token`;

  const tokenServer: TokenServer = {
    url,
    microsoftAuthority: `${url}/microsoft`,
    googleTokenUrl,
    requests,
    bodies,
    lifetimeSeconds: 3599,
    failNext: (error) => void forced.push(error),
    revokeAll: () => issued.clear(),
    verifyXOAuth2(user, token) {
      const entry = issued.get(token);
      const valid = entry !== undefined && clock.now() < entry.expiresAt;
      if (token.startsWith('ya29.')) {
        return valid && entry?.user === user ? { ok: true } : { gmailError: { status: '400', schemes: 'Bearer', scope: GOOGLE_SCOPE } };
      }
      if (!valid) return { refuse: { code: 535, text: '5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]' } };
      const app = apps.find((a) => a.clientId === entry.clientId);
      if (!app?.mailboxes.includes(user)) return { refuse: { code: 535, text: '5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]' } };
      return { ok: true };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return tokenServer;
}
