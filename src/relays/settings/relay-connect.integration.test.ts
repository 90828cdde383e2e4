// "Connect with Microsoft / Google": the authorization request an owner's browser is sent to
// (POST …/smtp-relay/connect), its PKCE challenge and its single-use state, stored hashed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { addMember, sessionHeaders } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { dialects } from '../../../test/support/databases.ts';
import { ManualClock } from '../../clock.ts';
import { CONNECT_STATE_TTL_MS } from './relay-connect.ts';

const MICROSOFT = { id: '11111111-2222-3333-4444-555555555555', secret: 'ms~platform.secret-value' };
const GOOGLE = { id: '123-abc.apps.googleusercontent.com', secret: 'GOCSPX-platform-secret' };

for (const dialect of await dialects()) {
  describe(`Connect with Microsoft / Google: the authorization request (${dialect})`, () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2, 9));
    let t: TestApp;
    let onlyMicrosoft: TestApp;

    before(async () => {
      t = await createTestApp({
        dialect,
        env: {
          RELAIS_PUBLIC_URL: 'https://relais.example.com',
          RELAIS_OAUTH_MICROSOFT_AUTHORITY: 'http://127.0.0.1:9/ms',
          RELAIS_OAUTH_MICROSOFT_CLIENT_ID: MICROSOFT.id,
          RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET: MICROSOFT.secret,
          RELAIS_OAUTH_GOOGLE_CLIENT_ID: GOOGLE.id,
          RELAIS_OAUTH_GOOGLE_CLIENT_SECRET: GOOGLE.secret,
          RELAIS_OAUTH_GOOGLE_AUTHORIZATION_URL: 'http://127.0.0.1:9/google/auth',
        },
        deps: { clock },
      });
      onlyMicrosoft = await createTestApp({
        dialect,
        env: { RELAIS_OAUTH_MICROSOFT_CLIENT_ID: MICROSOFT.id, RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET: MICROSOFT.secret },
      });
      for (const app of [t, onlyMicrosoft]) {
        const res = await app.app.inject({ method: 'POST', url: '/v1/organizations', headers: app.auth, payload: { id: 'school', name: 'School' } });
        assert.equal(res.statusCode, 201, res.body);
      }
      await addMember(t.app.relais, 'school', 'u-owner', 'owner');
    });
    after(async () => {
      await t.close();
      await onlyMicrosoft.close();
    });

    const connect = async (app: TestApp, payload: object, headers: Record<string, string> = app.auth) =>
      app.app.inject({ method: 'POST', url: '/v1/organizations/school/smtp-relay/connect', headers, payload });

    test('Microsoft: code flow with PKCE S256, a refresh token and SMTP sending asked for, the redirect URI of the public URL', async () => {
      const res = await connect(t, { provider: 'microsoft', loginHint: 'formation@school.test' });
      assert.equal(res.statusCode, 200, res.body);
      const url = new URL(res.json().authorizationUrl);
      assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:9/ms/common/oauth2/v2.0/authorize');
      const q = Object.fromEntries(url.searchParams);
      assert.equal(q.client_id, MICROSOFT.id);
      assert.equal(q.response_type, 'code');
      assert.equal(q.redirect_uri, 'https://relais.example.com/oauth/callback');
      assert.equal(q.scope, 'openid email offline_access https://outlook.office.com/SMTP.Send');
      assert.equal(q.code_challenge_method, 'S256');
      assert.equal(q.prompt, 'select_account');
      assert.equal(q.login_hint, 'formation@school.test');
      assert.match(q.state ?? '', /^[\w-]{40,}$/);
      assert.match(q.nonce ?? '', /^[\w-]{40,}$/);
      // The platform's client secret never goes to the browser.
      assert.ok(!res.body.includes(MICROSOFT.secret));

      // Stored: the state's hash only, bound to the organization and the caller, for ten minutes; the verifier matches the challenge.
      const row = await t.db.store.db.selectFrom('oauth_connect_states').selectAll().where('state_hash', '=', createHash('sha256').update(q.state ?? '').digest('base64url')).executeTakeFirstOrThrow();
      assert.equal(row.organization_id, 'school');
      assert.match(row.requested_by, /^api_key:/);
      assert.equal(row.provider, 'microsoft');
      assert.equal(row.nonce, q.nonce);
      assert.equal(Number(row.expires_at) - Number(row.created_at), CONNECT_STATE_TTL_MS);
      assert.equal(createHash('sha256').update(row.code_verifier).digest('base64url'), q.code_challenge);
      const all = await t.db.store.db.selectFrom('oauth_connect_states').select('state_hash').execute();
      assert.ok(all.every((r) => r.state_hash !== q.state), 'the state itself is not stored');
    });

    test('Google: offline access with a consent screen (so a refresh token comes back) and full mail scope', async () => {
      const owner = await sessionHeaders(t.app.relais, 'u-owner');
      const res = await connect(t, { provider: 'google' }, owner);
      assert.equal(res.statusCode, 200, res.body);
      const url = new URL(res.json().authorizationUrl);
      assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:9/google/auth');
      const q = Object.fromEntries(url.searchParams);
      assert.equal(q.client_id, GOOGLE.id);
      assert.equal(q.scope, 'openid email https://mail.google.com/');
      assert.equal(q.access_type, 'offline');
      assert.equal(q.prompt, 'consent');
      assert.equal(q.code_challenge_method, 'S256');
      assert.equal(q.login_hint, undefined);
      const row = await t.db.store.db
        .selectFrom('oauth_connect_states')
        .select('requested_by')
        .where('state_hash', '=', createHash('sha256').update(q.state ?? '').digest('base64url'))
        .executeTakeFirstOrThrow();
      assert.equal(row.requested_by, 'user:u-owner');
    });

    test('every request has its own state, verifier and nonce; expired ones are cleared as new ones come', async () => {
      const states = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const q = new URL((await connect(t, { provider: 'microsoft' })).json().authorizationUrl).searchParams;
        states.add(`${q.get('state')}|${q.get('code_challenge')}|${q.get('nonce')}`);
      }
      assert.equal(states.size, 3);
      clock.advance(CONNECT_STATE_TTL_MS + 1);
      await connect(t, { provider: 'google' });
      const left = await t.db.store.db.selectFrom('oauth_connect_states').select('expires_at').execute();
      assert.equal(left.length, 1);
    });

    test('a provider the platform has not registered is not offered: oauth_provider_not_configured', async () => {
      const res = await connect(onlyMicrosoft, { provider: 'google' });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().error.code, 'oauth_provider_not_configured');
      assert.match(res.json().error.message, /Connect with Google is not offered/);
    });

    test('GET /v1/smtp-presets says which providers are offered, and which presets show their button', async () => {
      const catalog = async (app: TestApp) => (await app.app.inject({ method: 'GET', url: '/v1/smtp-presets', headers: app.auth })).json();
      assert.deepEqual((await catalog(t)).connectProviders, ['microsoft', 'google']);
      const microsoftOnly = await catalog(onlyMicrosoft);
      assert.deepEqual(microsoftOnly.connectProviders, ['microsoft']);
      const buttons = Object.fromEntries((microsoftOnly.presets as { id: string; connect?: string }[]).filter((p) => p.connect).map((p) => [p.id, p.connect]));
      assert.deepEqual(buttons, { gmail: 'google', 'google-workspace': 'google', 'microsoft-365': 'microsoft', outlook: 'microsoft' });
    });

    test('bad input: unknown provider, a login hint that is not an address', async () => {
      const unknown = await connect(t, { provider: 'yahoo' });
      assert.equal(unknown.statusCode, 422, unknown.body);
      const hint = await connect(t, { provider: 'microsoft', loginHint: 'x\r\nBcc: a@b.c' });
      assert.equal(hint.statusCode, 422, hint.body);
      assert.equal(hint.json().error.code, 'invalid_address');
    });
  });
}
