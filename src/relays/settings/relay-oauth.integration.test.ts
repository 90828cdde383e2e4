// OAuth2 app sign-in (XOAUTH2) end to end: relay settings with an `auth` object, the flight
// check's auth step, activation and delivery through a real local token server
// (test/support/token-server.ts) and an smtp fixture that verifies every XOAUTH2 string with it.
// Fixtures: relay on 127.0.0.97:587 (as relay.test), platform sender on 127.0.0.1 (random port).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dialects } from '../../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import { assertNoLeak, createOrganization, createRelayTestApp, fakeResolver, type RelayTestApp } from '../../../test/support/relays.ts';
import { newServiceAccount, serviceAccountKeyFile, startTokenServer, type MicrosoftApp, type TokenServer } from '../../../test/support/token-server.ts';
import { ManualClock } from '../../clock.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP: MicrosoftApp = {
  tenantId: TENANT,
  clientId: '00001111-aaaa-2222-bbbb-3333cccc4444',
  clientSecret: 'Qx8~sEcReT.vAlUe_Only-shown_ONCE~42',
  mailboxes: ['formation@school.test'],
};
/** An app registered in the tenant whose service principal has no rights on any mailbox. */
const APP_WITHOUT_MAILBOX: MicrosoftApp = { ...APP, clientId: '99998888-aaaa-2222-bbbb-3333cccc4444', clientSecret: 'other~secret.value-9', mailboxes: [] };
const GOOGLE = newServiceAccount({ users: ['formation@school.test', 'gmail-off@school.test'] });
const GOOGLE_NOT_DELEGATED = newServiceAccount({ clientEmail: 'no-delegation@school-project.iam.gserviceaccount.com', delegatedScopes: [] });
const PLATFORM = { username: 'platform', password: 'platform-secret-pw' };
const PEM_BODY = GOOGLE.privateKeyPem.split('\n')[5] ?? '';

const clock = new ManualClock();
let tokens: TokenServer;
let relay: SmtpFixture;
let platform: SmtpFixture;
/** A server a key file's token_uri points to: Relais must never call it. */
let elsewhere: http.Server;
let elsewhereRequests = 0;
let elsewhereUrl = '';
const gmailOff = new Set(['gmail-off@school.test']);

before(async () => {
  tokens = await startTokenServer({ clock, microsoft: [APP, APP_WITHOUT_MAILBOX], google: [GOOGLE, GOOGLE_NOT_DELEGATED] });
  relay = await startSmtpFixture({
    host: '127.0.0.97',
    port: 587,
    security: 'starttls-required',
    xoauth2: (user, token) =>
      gmailOff.has(user) && token.startsWith('ya29.') ? { gmailError: { status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' } } : tokens.verifyXOAuth2(user, token),
  });
  platform = await startSmtpFixture({ host: '127.0.0.1', port: 0, security: 'starttls-required', auth: PLATFORM });
  elsewhere = http.createServer((_req, res) => {
    elsewhereRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'attacker', token_type: 'Bearer', expires_in: 3600 }));
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/token`;
});
after(async () => {
  await Promise.all([tokens.close(), relay.close(), platform.close(), new Promise<void>((resolve) => elsewhere.close(() => resolve()))]);
});

function microsoftBody(overrides: Record<string, unknown> = {}, auth: Record<string, unknown> = {}) {
  return {
    preset: 'microsoft-365',
    host: 'relay.test',
    port: 587,
    security: 'starttls',
    fromEmail: 'formation@school.test',
    fromName: 'École Formation',
    fallbackPolicy: 'fallback',
    auth: { type: 'oauth2-microsoft', tenantId: TENANT, clientId: APP.clientId, clientSecret: APP.clientSecret, user: 'formation@school.test', ...auth },
    ...overrides,
  };
}

function googleBody(auth: Record<string, unknown> = {}) {
  return {
    preset: 'google-workspace',
    host: 'relay.test',
    port: 587,
    security: 'starttls',
    fromEmail: 'formation@school.test',
    fromName: 'École Formation',
    fallbackPolicy: 'fallback',
    auth: { type: 'oauth2-google', serviceAccountKey: serviceAccountKeyFile(GOOGLE, elsewhereUrl), user: 'formation@school.test', ...auth },
  };
}

interface Step {
  id: string;
  status: string;
  detail: string;
  data?: { token?: { provider: string; expiresInMinutes: number } };
  explanation?: { id: string; title: string; fix: string[] };
}

for (const dialect of await dialects()) {
  describe(`OAuth2 app sign-in (${dialect})`, () => {
    let t: RelayTestApp;
    const bodies: string[] = [];
    let n = 0;

    const api = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) => {
      const res = await t.app.inject({ method, url, headers: { ...t.auth, ...headers }, ...(payload ? { payload } : {}) });
      bodies.push(res.body);
      return res;
    };
    const put = async (org: string, body: object, expected = [200, 201]) => {
      const res = await api('PUT', `/v1/organizations/${org}/smtp-relay`, body);
      assert.ok(expected.includes(res.statusCode), res.body);
      return res.json();
    };
    const check = async (org: string, lang: 'fr' | 'en' = 'en') => {
      const res = await api('POST', `/v1/organizations/${org}/smtp-relay/check`, { toEmail: 'formation@school.test' }, { 'accept-language': lang });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { report: { passed: boolean; steps: Step[] } }).report;
    };
    const auth = (report: { steps: Step[] }) => report.steps.find((s) => s.id === 'auth') as Step;
    const send = async (org: string) => {
      const subject = `Convocation ${dialect} #${++n}`;
      const res = await api('POST', `/v1/organizations/${org}/messages`, { to: 'lea@example.org', subject, text: 'Bonjour.' });
      assert.equal(res.statusCode, 202, res.body);
      await t.app.relais.dispatcher.runOnce();
      const record = (await api('GET', `/v1/organizations/${org}/messages/${res.json().id}`)).json();
      return { subject, record, viaRelay: relay.messages.find((m) => m.parsed.subject === subject) };
    };
    /** Retires the relay's pool: the next message opens a new connection and signs in again. */
    const newConnection = async (org: string) => {
      t.app.relais.relayPools.release((await api('GET', `/v1/organizations/${org}/smtp-relay`)).json().id);
    };
    const tokenRequests = (provider: string) => tokens.requests.filter((r) => r.provider === provider).length;

    before(async () => {
      t = await createRelayTestApp({
        dialect,
        resolver: fakeResolver({ 'relay.test': '127.0.0.97' }),
        env: {
          RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
          RELAIS_PLATFORM_SMTP_URL: `smtp://${PLATFORM.username}:${PLATFORM.password}@127.0.0.1:${platform.port}?starttls=required`,
          RELAIS_OAUTH_MICROSOFT_AUTHORITY: tokens.microsoftAuthority,
          RELAIS_OAUTH_GOOGLE_TOKEN_URL: tokens.googleTokenUrl,
          RELAIS_RELAY_FAILURE_THRESHOLD: '1',
        },
        deps: { clock, checkLimits: { perOrganization: 1000, perUser: 1000, windowMs: 3600_000 } },
      });
      for (const org of ['ms', 'google', 'failures', 'broken']) await createOrganization(t, org);
    });
    after(async () => {
      await t.close();
    });

    test('Microsoft: saved with an auth object, shown without the secret', async () => {
      const created = await put('ms', microsoftBody({}, { clientSecretExpiresAt: '2027-06-30' }), [201]);
      assert.deepEqual(created.auth, {
        type: 'oauth2-microsoft',
        tenantId: TENANT,
        clientId: APP.clientId,
        user: 'formation@school.test',
        hasClientSecret: true,
        clientSecretExpiresAt: '2027-06-30T00:00:00.000Z',
      });
      assert.equal(created.username, 'formation@school.test');
      const row = await t.db.store.db.selectFrom('smtp_relays').select(['password_sealed', 'auth']).where('organization_id', '=', 'ms').executeTakeFirstOrThrow();
      assert.match(row.password_sealed, /^v1\./);
      assertNoLeak([row.password_sealed, row.auth ?? ''], APP.clientSecret);
    });

    test('Microsoft: changing the tenant, the application or the user requires the secret again', async () => {
      for (const change of [{ tenantId: 'contoso.onmicrosoft.com' }, { clientId: APP_WITHOUT_MAILBOX.clientId }, { user: 'other@school.test' }]) {
        const res = await api('PUT', '/v1/organizations/ms/smtp-relay', microsoftBody({}, { clientSecret: undefined, ...change }));
        assert.equal(res.statusCode, 422, res.body);
        assert.equal(res.json().error.code, 'password_required');
      }
      // Unchanged identity: the stored secret is kept.
      const kept = await put('ms', microsoftBody({}, { clientSecret: undefined, clientSecretExpiresAt: '2027-06-30' }));
      assert.equal(kept.auth.hasClientSecret, true);
    });

    test('Microsoft: the check signs in with a token (provider and lifetime shown), activation, delivery through XOAUTH2 with one token for many messages', async () => {
      const before = tokenRequests('microsoft');
      const report = await check('ms');
      assert.equal(report.passed, true, JSON.stringify(report.steps));
      const step = auth(report);
      assert.equal(step.status, 'ok');
      assert.deepEqual(step.data?.token, { provider: 'microsoft', expiresInMinutes: 59 });
      assert.match(step.detail, /XOAUTH2.*Microsoft.*59/);
      const active = await api('POST', '/v1/organizations/ms/smtp-relay/activate');
      assert.equal(active.json().status, 'active', active.body);

      for (let i = 0; i < 3; i++) {
        await newConnection('ms');
        const sent = await send('ms');
        assert.equal(sent.record.route, 'relay', JSON.stringify(sent.record));
        assert.equal(sent.record.status, 'sent', JSON.stringify(sent.record));
        assert.equal(sent.viaRelay?.authUser, 'formation@school.test');
      }
      assert.equal(tokenRequests('microsoft') - before, 1, 'one token for the check and three messages, each on its own connection');
    });

    test('Microsoft: a token is fetched again 5 minutes before it expires (fake clock)', async () => {
      const before = tokenRequests('microsoft');
      clock.advance(50 * 60_000);
      await newConnection('ms');
      assert.equal((await send('ms')).record.status, 'sent');
      assert.equal(tokenRequests('microsoft'), before, 'still valid for 9 minutes: reused');
      clock.advance(5 * 60_000);
      await newConnection('ms');
      assert.equal((await send('ms')).record.status, 'sent');
      assert.equal(tokenRequests('microsoft'), before + 1, 'within 5 minutes of expiry: renewed');
    });

    test('Microsoft: a 535 to a cached token refreshes it once and the message is delivered', async () => {
      const before = tokenRequests('microsoft');
      tokens.revokeAll();
      await newConnection('ms');
      const sent = await send('ms');
      assert.equal(sent.record.status, 'sent', JSON.stringify(sent.record));
      assert.equal(tokenRequests('microsoft'), before + 1);
    });

    test('Google: a key file whose token_uri points elsewhere; the check passes, a message is delivered, nothing is asked of that address', async () => {
      const created = await put('google', googleBody(), [201]);
      assert.deepEqual(created.auth, {
        type: 'oauth2-google',
        user: 'formation@school.test',
        serviceAccountEmail: GOOGLE.clientEmail,
        clientId: GOOGLE.clientId,
        hasPrivateKey: true,
      });
      const report = await check('google', 'fr');
      assert.equal(report.passed, true, JSON.stringify(report.steps));
      assert.equal(auth(report).data?.token?.provider, 'google');
      assert.match(auth(report).detail, /jeton d’accès de Google/);
      assert.equal((await api('POST', '/v1/organizations/google/smtp-relay/activate')).json().status, 'active');
      const before = tokenRequests('google');
      const sent = await send('google');
      assert.equal(sent.record.status, 'sent', JSON.stringify(sent.record));
      assert.equal(sent.viaRelay?.authUser, 'formation@school.test');
      assert.equal(tokenRequests('google'), before, 'the check’s token is reused');
      assert.equal(elsewhereRequests, 0);
      // Saving again without the key keeps the account and its key.
      const kept = await put('google', googleBody({ serviceAccountKey: undefined }));
      assert.equal(kept.auth.serviceAccountEmail, GOOGLE.clientEmail);
    });

    const failures: { name: string; body: () => object; before?: () => void; explanation: string; titles: { fr: RegExp; en: RegExp } }[] = [
      {
        name: 'wrong client secret (AADSTS7000215)',
        body: () => microsoftBody({}, { clientSecret: 'a1b2c3d4-0000-1111-2222-333344445555' }),
        explanation: 'oauth-client-secret-invalid',
        titles: { fr: /Secret client refusé/, en: /Client secret rejected/ },
      },
      {
        name: 'expired secret (AADSTS7000222)',
        body: () => microsoftBody(),
        before: () => tokens.failNext('secret-expired'),
        explanation: 'oauth-client-secret-expired',
        titles: { fr: /expiré/, en: /expired/ },
      },
      {
        name: 'application not in the tenant (AADSTS700016)',
        body: () => microsoftBody({}, { clientId: '12345678-0000-0000-0000-000000000000' }),
        explanation: 'oauth-app-not-found',
        titles: { fr: /Application introuvable/, en: /Application not found/ },
      },
      {
        name: 'tenant not found (AADSTS90002)',
        body: () => microsoftBody({}, { tenantId: 'nowhere.onmicrosoft.com' }),
        explanation: 'oauth-tenant-not-found',
        titles: { fr: /Locataire/, en: /tenant not found/ },
      },
      {
        name: 'consent missing (AADSTS65001)',
        body: () => microsoftBody(),
        before: () => tokens.failNext('consent-missing'),
        explanation: 'oauth-consent-missing',
        titles: { fr: /Consentement/, en: /consent/ },
      },
      {
        name: 'token endpoint unreachable',
        body: () => microsoftBody(),
        before: () => tokens.failNext('unavailable'),
        explanation: 'oauth-token-endpoint-unreachable',
        titles: { fr: /injoignable/, en: /unreachable/ },
      },
      {
        name: '535 5.7.3 after a valid token (no rights on the mailbox)',
        body: () => microsoftBody({}, { clientId: APP_WITHOUT_MAILBOX.clientId, clientSecret: APP_WITHOUT_MAILBOX.clientSecret }),
        explanation: 'oauth-token-refused',
        titles: { fr: /refusé le jeton/, en: /refused the access token/ },
      },
      {
        name: 'Google unauthorized_client (no domain-wide delegation)',
        body: () => googleBody({ serviceAccountKey: serviceAccountKeyFile(GOOGLE_NOT_DELEGATED) }),
        explanation: 'oauth-google-delegation-missing',
        titles: { fr: /Délégation/, en: /delegation/ },
      },
      {
        name: 'Google invalid_grant (unknown user)',
        body: () => googleBody({ user: 'nobody@school.test' }),
        explanation: 'oauth-google-grant-invalid',
        titles: { fr: /Google a refusé/, en: /Google refused/ },
      },
      {
        name: 'Gmail’s 334 challenge with a JSON error, then 535',
        body: () => googleBody({ user: 'gmail-off@school.test' }),
        explanation: 'oauth-token-refused',
        titles: { fr: /Gmail le refuse/, en: /Gmail refuses/ },
      },
    ];
    for (const failure of failures) {
      test(`explained at the auth step, in French and English: ${failure.name}`, async () => {
        await put('failures', { ...failure.body(), fromEmail: 'formation@school.test' });
        for (const lang of ['fr', 'en'] as const) {
          failure.before?.();
          const report = await check('failures', lang);
          assert.equal(report.passed, false);
          const step = auth(report);
          assert.equal(step.status, 'fail', JSON.stringify(report.steps));
          assert.equal(step.explanation?.id, failure.explanation, JSON.stringify(step));
          const text = `${step.explanation?.title ?? ''} ${JSON.stringify(step.explanation)}`;
          assert.match(text, failure.titles[lang]);
          assert.ok((step.explanation?.fix.length ?? 0) > 0);
          assert.ok(report.steps.slice(0, report.steps.indexOf(step)).every((s) => s.status === 'ok' || s.status === 'skipped'), 'earlier steps passed');
        }
      });
    }

    test('delivery: a token endpoint failure is relay-level (failing, explained), and the message falls back to the platform sender', async () => {
      await put('broken', microsoftBody());
      assert.equal((await check('broken')).passed, true);
      assert.equal((await api('POST', '/v1/organizations/broken/smtp-relay/activate')).json().status, 'active');
      clock.advance(60 * 60_000);
      tokens.failNext('secret-expired');
      const sent = await send('broken');
      const status = (await api('GET', '/v1/organizations/broken/smtp-relay')).json();
      assert.equal(status.status, 'failing', JSON.stringify(status));
      assert.equal(status.failure?.errorCode, 'oauth-client-secret-expired', JSON.stringify(status.failure));
      assert.equal(sent.viaRelay, undefined);
      assert.ok(platform.messages.some((m) => m.parsed.subject === sent.subject), `fell back to the platform sender: ${JSON.stringify(sent.record)}`);
    });

    test('a check of unsaved settings with app sign-in: the typed secret, or the stored one only for the same application; nothing recorded, no token shared with the relay', async () => {
      const unsaved = (auth: Record<string, unknown>) => ({
        settings: { preset: 'microsoft-365', host: 'relay.test', port: 587, security: 'starttls', fromEmail: 'formation@school.test', auth: { ...microsoftBody().auth, ...auth } },
        toEmail: 'formation@school.test',
      });
      const before = (await api('GET', '/v1/organizations/ms/smtp-relay')).json();
      const typed = await api('POST', '/v1/organizations/ms/smtp-relay/check', unsaved({}));
      assert.equal(typed.statusCode, 200, typed.body);
      assert.equal(typed.json().report.passed, true, typed.body);
      assert.equal(typed.json().recordedVersion, null);
      const stored = await api('POST', '/v1/organizations/ms/smtp-relay/check', unsaved({ clientSecret: undefined }));
      assert.equal(stored.json().report.passed, true, stored.body);
      const otherApp = await api('POST', '/v1/organizations/ms/smtp-relay/check', unsaved({ clientSecret: undefined, clientId: APP_WITHOUT_MAILBOX.clientId }));
      assert.equal(otherApp.statusCode, 422);
      assert.equal(otherApp.json().error.code, 'password_required');
      const wrong = await api('POST', '/v1/organizations/ms/smtp-relay/check', unsaved({ clientSecret: 'not-the-secret-value' }));
      assert.equal(auth(wrong.json().report).explanation?.id, 'oauth-client-secret-invalid');
      const after = (await api('GET', '/v1/organizations/ms/smtp-relay')).json();
      assert.equal(after.version, before.version);
      assert.equal(after.lastCheck?.at, before.lastCheck?.at, 'nothing recorded');
    });

    test('a client secret expiring within 30 days: the check warns at the auth step (and passes), the status card warns', async () => {
      await createOrganization(t, 'expiring');
      const saved = await put('expiring', microsoftBody({}, { clientSecretExpiresAt: '2026-12-20' }), [201]);
      assert.deepEqual(saved.warnings.map((w: { code: string }) => w.code), ['client_secret_expiring']);
      for (const lang of ['fr', 'en'] as const) {
        const report = await check('expiring', lang);
        assert.equal(report.passed, true);
        const step = auth(report);
        assert.equal(step.status, 'warn');
        assert.equal(step.explanation?.id, 'oauth-client-secret-expiring');
        assert.match(step.detail, lang === 'fr' ? /expire le 2026-12-20/ : /expires on 2026-12-20/);
      }
      const later = await put('expiring', microsoftBody({}, { clientSecretExpiresAt: '2027-12-20' }));
      assert.deepEqual(later.warnings, []);
    });

    test('a Microsoft 365 relay that still signs in with a password is warned of Microsoft’s date', async () => {
      await createOrganization(t, 'legacy');
      const body = { ...microsoftBody(), auth: undefined, username: 'formation@school.test', password: 'legacy-password' };
      const saved = await put('legacy', body, [201]);
      assert.equal(saved.auth.type, 'password');
      assert.deepEqual(saved.warnings.map((w: { code: string }) => w.code), ['microsoft_basic_auth_retiring']);
      assert.match(saved.warnings[0].message, /December 2026/);
    });

    test('the client secret and the private key never appear in responses or logs', () => {
      assertNoLeak([...bodies, ...t.logs], APP.clientSecret);
      assertNoLeak([...bodies, ...t.logs], APP_WITHOUT_MAILBOX.clientSecret);
      for (const text of [...bodies, ...t.logs]) {
        assert.ok(!text.includes(PEM_BODY), 'a private key leaked');
        assert.ok(!/ya29\.|eyJ0[A-Za-z0-9_-]{20}/.test(text), 'an access token leaked');
        // base64 of "user=": the start of an XOAUTH2 initial response, which carries the token.
        assert.ok(!text.includes('dXNlcj0'), 'an XOAUTH2 string leaked');
      }
    });
  });
}
