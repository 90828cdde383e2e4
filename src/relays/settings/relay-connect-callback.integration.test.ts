// "Connect with Microsoft / Google" end to end, against a real local OpenID provider
// (test/support/connect-provider.ts): connect → consent → GET /oauth/callback → the relay signs
// in with XOAUTH2 as the connected mailbox, check, activation, delivery with an access token
// from the (rotated) refresh token; and every way a callback is refused, with its code.
// Fixtures: relay on 127.0.0.111:587 (smtp.office365.com and smtp.gmail.com through the test
// resolver), platform sender on 127.0.0.1 (random port).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { addMember, sessionHeaders, type SessionHeaders } from '../../../test/support/actors.ts';
import { startConnectProvider, type ConnectProvider } from '../../../test/support/connect-provider.ts';
import { dialects } from '../../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import { assertNoLeak, createOrganization, createRelayTestApp, fakeResolver, type RelayTestApp } from '../../../test/support/relays.ts';
import { ManualClock } from '../../clock.ts';
import { CONNECT_STATE_TTL_MS, IDLE_REFRESH_MS } from './relay-connect.ts';

const MICROSOFT = { clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'ms~platform.secret-value' };
const GOOGLE = { clientId: '123-abc.apps.googleusercontent.com', clientSecret: 'GOCSPX-platform-secret' };
const PLATFORM = { username: 'platform', password: 'platform-secret-pw' };

const clock = new ManualClock();
let provider: ConnectProvider;
let relay: SmtpFixture;
let platform: SmtpFixture;

before(async () => {
  provider = await startConnectProvider({ clock, microsoft: MICROSOFT, google: GOOGLE });
  relay = await startSmtpFixture({ host: '127.0.0.111', port: 587, security: 'starttls-required', cert: 'providers', xoauth2: (user, token) => provider.verifyXOAuth2(user, token) });
  platform = await startSmtpFixture({ host: '127.0.0.1', port: 0, security: 'starttls-required', auth: PLATFORM });
});
after(async () => {
  await Promise.all([provider.close(), relay.close(), platform.close()]);
});

/** What the browser does at the provider: GET the authorization URL; the provider redirects (302) back. */
function consentAt(authorizationUrl: string): Promise<URL> {
  return new Promise((resolve, reject) => {
    http
      .get(authorizationUrl, (res) => {
        res.resume();
        if (res.statusCode !== 302 || !res.headers.location) return reject(new Error(`provider answered ${res.statusCode}`));
        resolve(new URL(res.headers.location));
      })
      .on('error', reject);
  });
}

for (const dialect of await dialects()) {
  describe(`Connect with Microsoft / Google: the callback (${dialect})`, () => {
    let t: RelayTestApp;
    let owner: SessionHeaders;
    let otherOwner: SessionHeaders;

    before(async () => {
      t = await createRelayTestApp({
        dialect,
        resolver: fakeResolver({ 'smtp.office365.com': '127.0.0.111', 'smtp.gmail.com': '127.0.0.111' }),
        env: {
          RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
          RELAIS_PUBLIC_URL: 'https://relais.example.com',
          RELAIS_PLATFORM_SMTP_URL: `smtp://${PLATFORM.username}:${PLATFORM.password}@127.0.0.1:${platform.port}?starttls=required`,
          RELAIS_OAUTH_MICROSOFT_AUTHORITY: provider.microsoftAuthority,
          RELAIS_OAUTH_MICROSOFT_CLIENT_ID: MICROSOFT.clientId,
          RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET: MICROSOFT.clientSecret,
          RELAIS_OAUTH_GOOGLE_CLIENT_ID: GOOGLE.clientId,
          RELAIS_OAUTH_GOOGLE_CLIENT_SECRET: GOOGLE.clientSecret,
          RELAIS_OAUTH_GOOGLE_AUTHORIZATION_URL: provider.google.authorizationUrl,
          RELAIS_OAUTH_GOOGLE_TOKEN_URL: provider.google.tokenUrl,
          RELAIS_OAUTH_GOOGLE_JWKS_URL: provider.google.jwksUrl,
          RELAIS_RELAY_FAILURE_THRESHOLD: '1',
        },
        deps: { clock, checkLimits: { perOrganization: 1000, perUser: 1000, windowMs: 3600_000 } },
      });
      for (const org of ['school', 'other', 'refusals', 'bye']) await createOrganization(t, org);
      await addMember(t.app.relais, 'bye', 'u-owner', 'owner');
      await addMember(t.app.relais, 'school', 'u-owner', 'owner');
      await addMember(t.app.relais, 'refusals', 'u-owner', 'owner');
      await addMember(t.app.relais, 'other', 'u-other', 'owner');
      owner = await sessionHeaders(t.app.relais, 'u-owner');
      otherOwner = await sessionHeaders(t.app.relais, 'u-other');
    });
    after(async () => {
      await t.close();
    });

    const api = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });
    const start = async (org: string, body: object, headers: Record<string, string> = owner) => {
      const res = await t.app.inject({ method: 'POST', url: `/v1/organizations/${org}/smtp-relay/connect`, headers, payload: body });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().authorizationUrl as string;
    };
    /** The provider's redirect, followed to Relais with the browser's cookie. */
    const callback = async (back: URL, headers: Record<string, string> = owner) => {
      assert.equal(`${back.origin}${back.pathname}`, 'https://relais.example.com/oauth/callback');
      const res = await t.app.inject({ method: 'GET', url: `/oauth/callback${back.search}`, headers: { cookie: headers.cookie ?? '' } });
      assert.equal(res.statusCode, 303, res.body);
      return { res, location: String(res.headers.location) };
    };
    const send = async (org: string, subject: string) => {
      const res = await api('POST', `/v1/organizations/${org}/messages`, { to: 'lea@example.org', subject, text: 'Bonjour.' });
      assert.equal(res.statusCode, 202, res.body);
      await t.app.relais.dispatcher.runOnce();
      const record = (await api('GET', `/v1/organizations/${org}/messages/${res.json().id}`)).json();
      return { record, viaRelay: relay.messages.find((m) => m.parsed.subject === subject) };
    };
    const sealed = async (org: string) =>
      (await t.db.store.db.selectFrom('smtp_relays').select('password_sealed').where('organization_id', '=', org).executeTakeFirstOrThrow()).password_sealed;

    test('Microsoft: connect, consent, callback → connected mailbox, check passes, activate, delivered through XOAUTH2; the rotated refresh token is kept', async () => {
      provider.signInAs = 'formation@school.test';
      const earlier = new Set(provider.refreshTokens());
      const spent = () => provider.tokenRequests.filter((r) => r.grant === 'refresh_token' && !r.ok).length;
      const spentBefore = spent();
      const mine = () => provider.refreshTokens().filter((token) => !earlier.has(token));
      const back = await consentAt(await start('school', { provider: 'microsoft', loginHint: 'formation@school.test' }));
      const { res, location } = await callback(back);
      assert.equal(location, '/settings/emails/smtp?connect=connected');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');

      const view = (await api('GET', '/v1/organizations/school/smtp-relay')).json();
      assert.deepEqual(view.auth, { type: 'oauth2-connected', provider: 'microsoft', user: 'formation@school.test', connected: true });
      assert.equal(view.preset, 'microsoft-365');
      assert.equal(view.host, 'smtp.office365.com');
      assert.equal(view.port, 587);
      assert.equal(view.fromEmail, 'formation@school.test');
      assert.equal(view.status, 'unverified');
      const [firstRefresh] = mine();
      assert.ok(firstRefresh);
      assertNoLeak([await sealed('school'), JSON.stringify(view)], firstRefresh);

      const check = await api('POST', '/v1/organizations/school/smtp-relay/check', { toEmail: 'formation@school.test' });
      assert.equal(check.statusCode, 200, check.body);
      assert.equal(check.json().report.passed, true, check.body);
      assert.equal((await api('POST', '/v1/organizations/school/smtp-relay/activate')).json().status, 'active');

      const first = await send('school', 'Convocation 1');
      assert.equal(first.record.status, 'sent', JSON.stringify(first.record));
      assert.ok(first.viaRelay, 'sent through the connected relay');
      // The token endpoint rotated the refresh token: the old one is spent, the new one stored.
      assert.ok(!mine().includes(firstRefresh));
      assert.equal(mine().length, 1);

      // Two hours later the access token expired: a new one comes from the stored (rotated) refresh token.
      clock.advance(2 * 3600_000);
      t.app.relais.relayPools.release(view.id);
      const second = await send('school', 'Convocation 2');
      assert.equal(second.record.status, 'sent', JSON.stringify(second.record));
      assert.equal(second.record.route, 'relay', 'not the platform sender: the relay still signs in');
      assert.equal(mine().length, 1);
      assert.equal(spent(), spentBefore, 'never a spent refresh token');

      const audit = (await api('GET', '/v1/organizations/school/audit-log')).body;
      assert.match(audit, /relay\.connected/);
      for (const token of [firstRefresh, ...mine()]) assert.ok(!audit.includes(token));
      assertNoLeak(t.logs, firstRefresh);
    });

    test('authorization gone (invalid_grant): the relay is failing with "reconnect", and the owners get an alert with a one-click reconnect link', async () => {
      provider.revokeAll();
      clock.advance(2 * 3600_000);
      const view = (await api('GET', '/v1/organizations/school/smtp-relay')).json();
      t.app.relais.relayPools.release(view.id);
      const sent = await send('school', 'Convocation 3');
      assert.equal(sent.record.route, 'fallback', 'falls back to the platform sender');
      const failing = (await api('GET', '/v1/organizations/school/smtp-relay?lang=fr')).json();
      assert.equal(failing.status, 'failing');
      assert.match(JSON.stringify(failing), /oauth-reconnect/);
      assert.match(JSON.stringify(failing), /Reconnectez la boîte d’envoi/);
      await t.app.relais.dispatcher.runOnce();
      const alert = platform.messages.find((m) => m.parsed.text?.includes('settings/emails/smtp?reconnect=microsoft'));
      assert.ok(alert, `an alert with the reconnect link: ${platform.messages.map((m) => m.parsed.subject).join(' | ')}`);
      assert.match(alert.parsed.text ?? '', /https:\/\/relais\.example\.com\/settings\/emails\/smtp\?reconnect=microsoft/);
    });

    test('Google: a Gmail account connects as gmail on smtp.gmail.com, sender address the mailbox', async () => {
      provider.signInAs = 'prenom.nom@gmail.test';
      const { location } = await callback(await consentAt(await start('refusals', { provider: 'google' })));
      assert.equal(location, '/settings/emails/smtp?connect=connected');
      const view = (await api('GET', '/v1/organizations/refusals/smtp-relay')).json();
      assert.deepEqual(view.auth, { type: 'oauth2-connected', provider: 'google', user: 'prenom.nom@gmail.test', connected: true });
      assert.equal(view.preset, 'gmail');
      assert.equal(view.host, 'smtp.gmail.com');
      assert.equal(view.fromEmail, 'prenom.nom@gmail.test');
    });

    test('a PUT keeps the connected mailbox with auth { type: "oauth2-connected", user }; a relay never connected is told to connect', async () => {
      const view = (await api('GET', '/v1/organizations/refusals/smtp-relay')).json();
      const body = {
        preset: view.preset,
        host: view.host,
        port: view.port,
        security: view.security,
        fromEmail: view.fromEmail,
        fromName: 'Accueil',
        fallbackPolicy: 'hold',
        auth: { type: 'oauth2-connected', user: view.auth.user },
      };
      const kept = await t.app.inject({ method: 'PUT', url: '/v1/organizations/refusals/smtp-relay', headers: t.auth, payload: body });
      assert.equal(kept.statusCode, 200, kept.body);
      assert.deepEqual(kept.json().auth, view.auth);
      assert.equal(kept.json().fromName, 'Accueil');
      // A check of unsaved settings keeping the connection signs in with the saved refresh token.
      const { fallbackPolicy: _policy, fromName: _name, ...settings } = body;
      const check = await api('POST', '/v1/organizations/refusals/smtp-relay/check', { toEmail: view.auth.user, settings });
      assert.equal(check.statusCode, 200, check.body);
      assert.equal(check.json().report.passed, true, check.body);
      const never = await t.app.inject({ method: 'PUT', url: '/v1/organizations/other/smtp-relay', headers: t.auth, payload: body });
      assert.equal(never.statusCode, 422, never.body);
      assert.equal(never.json().error.code, 'oauth_connect_required');
    });

    test('a state is used once: the replayed callback is refused (oauth_state_invalid)', async () => {
      provider.signInAs = undefined;
      const back = await consentAt(await start('refusals', { provider: 'microsoft' }));
      assert.equal((await callback(back)).location, '/settings/emails/smtp?connect=connected');
      assert.equal((await callback(back)).location, '/settings/emails/smtp?connect_error=oauth_state_invalid');
      const forged = new URL(back);
      forged.searchParams.set('state', 'not-a-state');
      assert.equal((await callback(forged)).location, '/settings/emails/smtp?connect_error=oauth_state_invalid');
    });

    test("another organization's owner cannot complete the state (oauth_state_mismatch), nor a browser without the session", async () => {
      const back = await consentAt(await start('school', { provider: 'microsoft' }));
      assert.equal((await callback(back, otherOwner)).location, '/settings/emails/smtp?connect_error=oauth_state_mismatch');
      const again = await consentAt(await start('school', { provider: 'microsoft' }));
      assert.equal((await callback(again, { cookie: '' } as unknown as SessionHeaders)).location, '/settings/emails/smtp?connect_error=oauth_state_mismatch');
    });

    test('expired state (oauth_state_expired), refused consent (oauth_consent_refused), another account than asked (oauth_account_mismatch)', async () => {
      const late = await consentAt(await start('refusals', { provider: 'microsoft' }));
      clock.advance(CONNECT_STATE_TTL_MS + 1);
      assert.equal((await callback(late)).location, '/settings/emails/smtp?connect_error=oauth_state_expired');

      provider.consent = 'refuse';
      try {
        assert.equal((await callback(await consentAt(await start('refusals', { provider: 'google' })))).location, '/settings/emails/smtp?connect_error=oauth_consent_refused');
      } finally {
        provider.consent = 'accept';
      }

      provider.signInAs = 'someone.else@school.test';
      const other = await consentAt(await start('refusals', { provider: 'microsoft', loginHint: 'formation@school.test' }));
      assert.equal((await callback(other)).location, '/settings/emails/smtp?connect_error=oauth_account_mismatch');
      provider.signInAs = undefined;
    });

    test('PKCE: a code exchanged with another verifier is refused by the provider (oauth_code_refused)', async () => {
      const back = await consentAt(await start('refusals', { provider: 'microsoft' }));
      await t.db.store.db.updateTable('oauth_connect_states').set({ code_verifier: 'x'.repeat(43) }).execute();
      assert.equal((await callback(back)).location, '/settings/emails/smtp?connect_error=oauth_code_refused');
    });

    test('ID token with a wrong audience, a wrong issuer or another nonce is refused (oauth_id_token_invalid); nothing is saved', async () => {
      const before = await sealed('refusals');
      for (const claims of [{ aud: 'another-client' }, { iss: 'https://login.evil.example/x/v2.0' }, { nonce: 'replayed-nonce' }]) {
        const back = await consentAt(await start('refusals', { provider: 'microsoft' }));
        provider.tamperNextIdToken(claims);
        assert.equal((await callback(back)).location, '/settings/emails/smtp?connect_error=oauth_id_token_invalid', JSON.stringify(claims));
      }
      assert.equal(await sealed('refusals'), before);
    });

    test('a connected mailbox idle for 30 days is refreshed before the provider forgets it (fake clock); a recently used one is left alone', async () => {
      provider.signInAs = 'idle@school.test';
      await createOrganization(t, 'idle');
      await addMember(t.app.relais, 'idle', 'u-owner', 'owner');
      const earlier = new Set(provider.refreshTokens());
      assert.equal((await callback(await consentAt(await start('idle', { provider: 'microsoft' })))).location, '/settings/emails/smtp?connect=connected');
      const [first] = provider.refreshTokens().filter((x) => !earlier.has(x));
      assert.ok(first);
      const idle = () => t.app.relais.relayConnect.refreshIdle(100);
      // Other organizations' connected relays may be due as well: only this one's token is watched.
      clock.advance(IDLE_REFRESH_MS - 60_000);
      await idle();
      assert.ok(provider.refreshTokens().includes(first), 'not yet idle for 30 days: untouched');
      clock.advance(120_000);
      assert.ok((await idle()) >= 1);
      assert.ok(!provider.refreshTokens().includes(first), 'used, and rotated');
      const [second] = provider.refreshTokens().filter((x) => !earlier.has(x));
      assert.ok(second);
      clock.advance(24 * 3600_000);
      await idle();
      assert.ok(provider.refreshTokens().includes(second), 'refreshed yesterday: left alone');
      provider.signInAs = undefined;
    });

    test('an idle refresh refused with invalid_grant makes the active relay failing with "reconnect" at once, and the owners get the reconnect link', async () => {
      owner = await sessionHeaders(t.app.relais, 'u-owner');
      provider.signInAs = 'lost@school.test';
      await createOrganization(t, 'lost');
      await addMember(t.app.relais, 'lost', 'u-owner', 'owner');
      const earlier = new Set(provider.refreshTokens());
      assert.equal((await callback(await consentAt(await start('lost', { provider: 'microsoft' })))).location, '/settings/emails/smtp?connect=connected');
      assert.equal((await api('POST', '/v1/organizations/lost/smtp-relay/check', { toEmail: 'lost@school.test' })).json().report.passed, true);
      assert.equal((await api('POST', '/v1/organizations/lost/smtp-relay/activate')).json().status, 'active');
      // The mailbox's authorization is withdrawn at the provider while nothing is sent.
      for (const token of provider.refreshTokens().filter((x) => !earlier.has(x))) provider.forget(token);
      clock.advance(IDLE_REFRESH_MS + 60_000);
      await t.app.relais.relayConnect.refreshIdle(100);
      const view = (await api('GET', '/v1/organizations/lost/smtp-relay?lang=en')).json();
      assert.equal(view.status, 'failing');
      assert.equal(view.failure.errorCode, 'oauth-reconnect');
      assert.match(JSON.stringify(view.failure), /Reconnect the sending mailbox/);
      await t.app.relais.dispatcher.runOnce();
      const alert = platform.messages.find((m) => m.parsed.text?.includes('lost@school.test') && m.parsed.text.includes('settings/emails/smtp?reconnect=microsoft'));
      assert.ok(alert, `an alert with the reconnect link: ${platform.messages.map((m) => m.parsed.subject).join(' | ')}`);
      provider.signInAs = undefined;
    });

    test('DELETE …/smtp-relay disconnects: the refresh token is revoked at Google and deleted here; the audit log says so, never the token', async () => {
      owner = await sessionHeaders(t.app.relais, 'u-owner');
      provider.signInAs = 'accueil@gmail.test';
      const earlier = new Set(provider.refreshTokens());
      assert.equal((await callback(await consentAt(await start('bye', { provider: 'google' })))).location, '/settings/emails/smtp?connect=connected');
      const [token] = provider.refreshTokens().filter((x) => !earlier.has(x));
      assert.ok(token);
      const res = await t.app.inject({ method: 'DELETE', url: '/v1/organizations/bye/smtp-relay', headers: t.auth });
      assert.equal(res.statusCode, 204, res.body);
      assert.ok(provider.revoked.includes(token), 'revoked at the provider');
      assert.ok(!provider.refreshTokens().includes(token));
      const row = await t.db.store.db.selectFrom('smtp_relays').select('id').where('organization_id', '=', 'bye').executeTakeFirst();
      assert.equal(row, undefined);
      const audit = (await api('GET', '/v1/organizations/bye/audit-log')).body;
      assert.match(audit, /relay\.connected/);
      assert.match(audit, /relay\.disconnected/);
      assert.match(audit, /"revokedAtProvider":true/);
      assert.ok(!audit.includes(token));
      provider.signInAs = undefined;
    });
  });
}
