// A real local OAuth2 / OpenID provider for tests of "Connect with Microsoft / Google",
// speaking HTTP as Microsoft's identity platform (`/microsoft/common/…`) and Google
// (`/google/…`) do for the authorization code flow:
//
//   GET  …/authorize (Microsoft) or /google/auth   the consent page: redirects at once to the
//        redirect URI with a code (the test's `consent: 'accept'`) or `error=access_denied`;
//        with `consentPage: true`, a page first where a browser clicks Accept or Refuse.
//   POST …/token   authorization_code (client secret, redirect URI, single-use code, PKCE S256
//        verifier) → access token, refresh token and an RS256 ID token (iss, aud, nonce, email);
//        refresh_token → a new access token and a NEW refresh token, the old one invalidated.
//   GET  …/discovery/v2.0/keys, /google/jwks   the signing keys (JWKS).
//   POST /google/revoke   revokes a refresh token.
//
// `verifyXOAuth2` answers the XOAUTH2 smtp fixture: is this access token valid, for whom.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { Clock } from '../../src/clock.ts';
import type { XOAuth2Verdict } from './smtp-fixture.ts';

export interface ProviderApplication {
  clientId: string;
  clientSecret: string;
}

interface Grant {
  provider: 'microsoft' | 'google';
  clientId: string;
  mailbox: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | null;
}

export interface ConnectProvider {
  url: string;
  /** RELAIS_OAUTH_MICROSOFT_AUTHORITY */
  microsoftAuthority: string;
  /** RELAIS_OAUTH_GOOGLE_AUTHORIZATION_URL, …_TOKEN_URL, …_JWKS_URL */
  google: { authorizationUrl: string; tokenUrl: string; jwksUrl: string };
  /** The Microsoft tenant id of the ID tokens (the issuer is `${authority}/${tid}/v2.0`). */
  tenantId: string;
  /** What the person does on the consent page, and as whom they sign in (default: the login hint). */
  consent: 'accept' | 'refuse';
  /** Show a consent page with Accept and Refuse buttons (browser tests) instead of deciding at once. */
  consentPage: boolean;
  signInAs: string | undefined;
  /** Changes the next ID token's claims (wrong audience, issuer…). */
  tamperNextIdToken(claims: Record<string, unknown>): void;
  /** The refresh tokens currently valid. */
  refreshTokens(): string[];
  /** Invalidates every refresh token (password changed, app removed). */
  revokeAll(): void;
  /** Invalidates one refresh token (this mailbox's authorization withdrawn). */
  forget(refreshToken: string): void;
  /** Holds the token endpoint's answers (a slow provider) until `release()`; `arrived` resolves once a request waits. */
  holdTokenAnswers(): { arrived: Promise<void>; release(): void };
  revoked: string[];
  tokenRequests: { grant: string; ok: boolean; error?: string }[];
  verifyXOAuth2(user: string, token: string): XOAuth2Verdict;
  close(): Promise<void>;
}

export async function startConnectProvider(options: { clock: Clock; microsoft?: ProviderApplication; google?: ProviderApplication }): Promise<ConnectProvider> {
  const { clock } = options;
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, Grant>();
  const refresh = new Map<string, Grant>();
  const access = new Map<string, { mailbox: string; expiresAt: number }>();
  let tamper: Record<string, unknown> | undefined;
  let held: { gate: Promise<void>; arrived: () => void } | undefined;
  let url = '';

  const app = (provider: 'microsoft' | 'google') => options[provider];

  async function idToken(grant: Grant): Promise<string> {
    const now = Math.floor(clock.now() / 1000);
    const iss = grant.provider === 'microsoft' ? `${url}/microsoft/${provider.tenantId}/v2.0` : url;
    const claims: Record<string, unknown> = {
      iss,
      aud: grant.clientId,
      email: grant.mailbox,
      ...(grant.provider === 'microsoft' ? { tid: provider.tenantId, preferred_username: grant.mailbox } : { email_verified: true }),
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
      sub: createHash('sha256').update(grant.mailbox).digest('hex').slice(0, 20),
      iat: now,
      exp: now + 3600,
      ...tamper,
    };
    tamper = undefined;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key-1', typ: 'JWT' }).sign(privateKey);
  }

  function tokens(grant: Grant, withIdToken: boolean): Promise<Record<string, unknown>> {
    const accessToken = `${grant.provider === 'google' ? 'ya29.' : 'eyJ0'}${randomBytes(24).toString('base64url')}`;
    access.set(accessToken, { mailbox: grant.mailbox, expiresAt: clock.now() + 3599_000 });
    const refreshToken = `${grant.provider === 'google' ? '1//' : 'M.C5'}${randomBytes(32).toString('base64url')}`;
    refresh.set(refreshToken, grant);
    const body = { token_type: 'Bearer', expires_in: 3599, access_token: accessToken, refresh_token: refreshToken, scope: 'openid email' };
    return withIdToken ? idToken(grant).then((id_token) => ({ ...body, id_token })) : Promise.resolve(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const requestUrl = new URL(req.url ?? '/', url);
      const path = requestUrl.pathname;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const json = (status: number, body: Record<string, unknown>): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      };
      const which = path.startsWith('/google') ? 'google' : 'microsoft';

      if (req.method === 'GET' && (path === '/microsoft/common/oauth2/v2.0/authorize' || path === '/google/auth')) {
        const q = requestUrl.searchParams;
        const redirect = new URL(q.get('redirect_uri') ?? '');
        const application = app(which);
        if (!application || q.get('client_id') !== application.clientId) return json(400, { error: 'unauthorized_client' });
        const decision = q.get('decision');
        if (provider.consentPage && decision === null) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(consentPage(which, q));
        }
        redirect.searchParams.set('state', q.get('state') ?? '');
        if ((decision ?? provider.consent) === 'refuse') {
          redirect.searchParams.set('error', 'access_denied');
          redirect.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
        } else {
          const code = randomBytes(24).toString('base64url');
          codes.set(code, {
            provider: which,
            clientId: application.clientId,
            mailbox: provider.signInAs ?? q.get('login_hint') ?? 'formation@school.test',
            redirectUri: q.get('redirect_uri') ?? '',
            codeChallenge: q.get('code_challenge') ?? '',
            nonce: q.get('nonce'),
          });
          redirect.searchParams.set('code', code);
        }
        res.writeHead(302, { location: redirect.toString() });
        return res.end();
      }
      if (req.method === 'GET' && (path === '/microsoft/common/discovery/v2.0/keys' || path === '/google/jwks')) return json(200, { keys: [jwk] });
      if (req.method === 'POST' && path === '/google/revoke') {
        const token = form.get('token') ?? '';
        provider.revoked.push(token);
        return refresh.delete(token) ? json(200, {}) : json(400, { error: 'invalid_token' });
      }
      if (req.method === 'POST' && (path === '/microsoft/common/oauth2/v2.0/token' || path === '/google/token')) {
        const grantType = form.get('grant_type') ?? '';
        const refuse = (error: string, status = 400) => {
          provider.tokenRequests.push({ grant: grantType, ok: false, error });
          json(status, { error, error_description: `${error} (test provider)` });
        };
        const application = app(which);
        if (!application || form.get('client_id') !== application.clientId || form.get('client_secret') !== application.clientSecret) return refuse('invalid_client', 401);
        let grant: Grant | undefined;
        if (grantType === 'authorization_code') {
          const code = form.get('code') ?? '';
          grant = codes.get(code);
          codes.delete(code);
          if (!grant || grant.redirectUri !== form.get('redirect_uri')) return refuse('invalid_grant');
          const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
          if (challenge !== grant.codeChallenge) return refuse('invalid_grant');
        } else if (grantType === 'refresh_token') {
          const token = form.get('refresh_token') ?? '';
          grant = refresh.get(token);
          // Rotation: the refresh token used is spent.
          refresh.delete(token);
          if (!grant) return refuse('invalid_grant');
        } else {
          return refuse('unsupported_grant_type');
        }
        provider.tokenRequests.push({ grant: grantType, ok: true });
        const hold = held;
        hold?.arrived();
        void tokens(grant, grantType === 'authorization_code').then(async (body) => {
          await hold?.gate;
          json(200, body);
        });
        return;
      }
      json(404, { error: 'not_found' });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider: ConnectProvider = {
    url,
    microsoftAuthority: `${url}/microsoft`,
    google: { authorizationUrl: `${url}/google/auth`, tokenUrl: `${url}/google/token`, jwksUrl: `${url}/google/jwks` },
    tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    consent: 'accept',
    consentPage: false,
    signInAs: undefined,
    tamperNextIdToken: (claims) => void (tamper = claims),
    refreshTokens: () => [...refresh.keys()],
    revokeAll: () => refresh.clear(),
    forget: (refreshToken) => void refresh.delete(refreshToken),
    holdTokenAnswers() {
      let release = () => {};
      let arrived = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      held = { gate, arrived };
      return {
        arrived: arrival,
        release: () => {
          held = undefined;
          release();
        },
      };
    },
    revoked: [],
    tokenRequests: [],
    verifyXOAuth2(user, token) {
      const entry = access.get(token);
      if (entry && entry.mailbox === user && clock.now() < entry.expiresAt) return { ok: true };
      return { refuse: { code: 535, text: '5.7.3 Authentication unsuccessful' } };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return provider;
}

const escapeHtml = (text: string) => text.replace(/[&"<>']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The provider's consent screen: the request's parameters kept in the form, Accept or Refuse. */
function consentPage(provider: 'microsoft' | 'google', query: URLSearchParams): string {
  const hidden = [...query].map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
  const name = provider === 'microsoft' ? 'Microsoft' : 'Google';
  return `<!doctype html><html lang="en"><title>${name} — permissions requested</title>
<h1>Relais wants to send email as you</h1><p>Scopes: ${escapeHtml(query.get('scope') ?? '')}</p>
<form method="get">${hidden}<button name="decision" value="accept">Accept</button> <button name="decision" value="refuse">Cancel</button></form></html>`;
}
