// The relay settings API on every dialect: validation, the address guard, the password rule,
// verification against a real relay, status and activation. Fixture on 127.0.0.19.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import {
  assertNoLeak,
  createOrganization,
  createRelayTestApp,
  relayBody,
  setCustomSmtp,
  type RelayBody,
  type RelayTestApp,
} from '../../../test/support/relays.ts';

const CREDENTIALS = { username: 'formation@school.test', password: 'Api-Relay-pass/+9é' };

for (const dialect of await dialects()) {
  describe(`relay settings API (${dialect})`, () => {
    let relay: SmtpFixture;
    let t: RelayTestApp;
    const bodies: string[] = [];

    const call = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, payload?: object) => {
      const res = await t.app.inject({ method, url: `/v1/organizations/${path}`, headers: t.auth, ...(payload ? { payload } : {}) });
      bodies.push(res.body);
      return res;
    };
    const put = (org: string, overrides: Partial<RelayBody> = {}) => call('PUT', `${org}/smtp-relay`, relayBody({ ...CREDENTIALS, ...overrides }));

    before(async () => {
      relay = await startSmtpFixture({ host: '127.0.0.19', port: 587, security: 'starttls-required', auth: CREDENTIALS });
      t = await createRelayTestApp({ dialect, env: { RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true' } });
    });
    after(async () => {
      await t.close();
      await relay.close();
    });

    test('GET before any PUT: 404 relay_not_found; unknown organization: 404', async () => {
      await createOrganization(t, 'empty');
      const none = await call('GET', 'empty/smtp-relay');
      assert.equal(none.statusCode, 404);
      assert.equal(none.json().error.code, 'relay_not_found');
      const status = await call('GET', 'empty/smtp-relay/status');
      assert.deepEqual(status.json(), { customSmtp: true, configured: false, status: null, inUse: false, fromEmail: null, fromName: null });
      const unknown = await call('PUT', 'nobody/smtp-relay', relayBody(CREDENTIALS));
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'organization_not_found');
    });

    test('a new relay needs a password; saved, it is unverified at version 1 and never shows the password', async () => {
      await createOrganization(t, 'acme');
      const missing = await put('acme', { password: undefined });
      assert.equal(missing.statusCode, 422);
      assert.equal(missing.json().error.code, 'password_required');

      const created = await put('acme');
      assert.equal(created.statusCode, 201, created.body);
      const body = created.json();
      assert.equal(body.version, 1);
      assert.equal(body.status, 'unverified');
      assert.equal(body.hasPassword, true);
      assert.equal(body.verified, false);
      assert.equal(body.inUse, false);
      assert.equal('password' in body, false);
      assert.deepEqual(body.warnings, []);

      const read = await call('GET', 'acme/smtp-relay');
      assert.equal(read.statusCode, 200);
      assert.equal(read.json().host, '127.0.0.19');
      assert.equal(read.json().fromName, 'École Formation');
    });

    test('the same PUT again changes nothing; a cosmetic change makes a new version', async () => {
      const again = await put('acme');
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().version, 1);
      const renamed = await put('acme', { password: undefined, fromName: 'Acme Formation', replyTo: 'contact@school.test' });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.equal(renamed.json().version, 2);
      assert.equal(renamed.json().replyTo, 'contact@school.test');
    });

    test('omitting the password keeps it only while host, port, user name, security and certificate rule are unchanged', async () => {
      for (const change of [{ host: '127.0.0.20' }, { port: 465, security: 'tls' }, { username: 'other@school.test' }]) {
        const res = await put('acme', { ...change, password: undefined });
        assert.equal(res.statusCode, 422, JSON.stringify(change));
        assert.equal(res.json().error.code, 'password_required');
        assert.match(res.json().error.message, /server address, port or user name/);
      }
      for (const change of [{ security: 'none' }, { security: 'tls' }, { allowSelfSigned: true }]) {
        const res = await put('acme', { ...change, password: undefined });
        assert.equal(res.statusCode, 422, JSON.stringify(change));
        assert.equal(res.json().error.code, 'password_required');
        assert.match(res.json().error.message, /security or the certificate rule changed/);
      }
      const read = await call('GET', 'acme/smtp-relay');
      assert.equal(read.json().version, 2, 'refused saves change nothing');
      const sameHostOtherCase = await put('acme', { password: undefined, fromName: 'Acme Formation', replyTo: 'contact@school.test', fallbackPolicy: 'hold' });
      assert.equal(sameHostOtherCase.statusCode, 200);
      assert.equal(sameHostOtherCase.json().fallbackPolicy, 'hold');
    });

    test('activation is refused until the saved version passed a verification', async () => {
      const refused = await call('POST', 'acme/smtp-relay/activate');
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().error.code, 'relay_not_verified');

      const verified = await call('POST', 'acme/smtp-relay/verify');
      assert.equal(verified.statusCode, 200, verified.body);
      const check = verified.json();
      assert.equal(check.passed, true, JSON.stringify(check.report));
      assert.equal(check.report.mode, 'sign-in');
      assert.deepEqual(
        check.report.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`),
        ['dns:ok', 'connect:ok', 'greeting:ok', 'tls:ok', 'ehlo:ok', 'auth:ok'],
      );
      assert.ok(!relay.sessions.at(-1)?.events.some((e) => e.command === 'MAIL'), 'verification stops after sign-in');
      assert.equal(check.relay.status, 'off');
      assert.equal(check.relay.verified, true);
      assert.equal(check.relay.verifiedVersion, check.relay.version);
      assert.equal(check.relay.lastCheck.passed, true);
      assert.deepEqual(relay.authAttempts.at(-1), { username: CREDENTIALS.username, ok: true });

      await setCustomSmtp(t, 'acme', false);
      const disabled = await call('POST', 'acme/smtp-relay/activate');
      assert.equal(disabled.statusCode, 409);
      assert.equal(disabled.json().error.code, 'custom_smtp_disabled');
      await setCustomSmtp(t, 'acme', true);

      const active = await call('POST', 'acme/smtp-relay/activate');
      assert.equal(active.statusCode, 200, active.body);
      assert.equal(active.json().status, 'active');
      assert.equal(active.json().inUse, true);
      assert.ok(active.json().activeSince);
      const status = await call('GET', 'acme/smtp-relay/status');
      assert.deepEqual(status.json(), {
        customSmtp: true,
        configured: true,
        status: 'active',
        inUse: true,
        fromEmail: 'formation@school.test',
        fromName: 'Acme Formation',
      });
    });

    test('a cosmetic change keeps the relay active and verified; a connection change takes it out of use', async () => {
      const renamed = await put('acme', { password: undefined, fromName: 'Acme', fallbackPolicy: 'hold' });
      assert.equal(renamed.json().status, 'active');
      assert.equal(renamed.json().verified, true);
      const version = renamed.json().version;

      const withoutPassword = await put('acme', { allowSelfSigned: true, fromName: 'Acme', fallbackPolicy: 'hold', password: undefined });
      assert.equal(withoutPassword.statusCode, 422, 'a new certificate rule needs the password again');
      assert.equal(withoutPassword.json().error.code, 'password_required');
      const moved = await put('acme', { allowSelfSigned: true, fromName: 'Acme', fallbackPolicy: 'hold' });
      assert.equal(moved.statusCode, 200);
      assert.equal(moved.json().version, version + 1);
      assert.equal(moved.json().status, 'unverified');
      assert.equal(moved.json().activeSince, null);
      assert.equal(moved.json().inUse, false);
      assert.equal(moved.json().verified, false);
      assert.deepEqual(
        moved.json().warnings.map((w: { code: string }) => w.code),
        ['self_signed_certificate_accepted'],
      );
      const refused = await call('POST', 'acme/smtp-relay/activate');
      assert.equal(refused.json().error.code, 'relay_not_verified');
      assert.match(refused.json().error.message, /version/);
    });

    test('a failed verification is recorded for its version and withdraws readiness', async () => {
      const wrong = await put('acme', { password: 'not-the-right-one', fromName: 'Acme', fallbackPolicy: 'hold', allowSelfSigned: false });
      assert.equal(wrong.json().status, 'unverified');
      const res = await call('POST', 'acme/smtp-relay/verify');
      assert.equal(res.statusCode, 200);
      const check = res.json();
      assert.equal(check.passed, false);
      const failed = check.report.steps.find((s: { status: string }) => s.status === 'fail');
      assert.equal(failed.id, 'auth');
      assert.equal(failed.explanation.id, 'auth-failed');
      assert.match(failed.explanation.reply, /^535/);
      assert.equal(check.relay.lastCheck.passed, false);
      assert.equal(check.relay.lastCheck.errorCode, 'auth-failed');
      assert.match(check.relay.lastCheck.reply, /^535/);
      assert.equal(check.relay.lastCheck.explanation.id, 'auth-failed');
      assert.ok(check.relay.lastCheck.explanation.fix.length > 0);
      assert.equal(check.relay.status, 'unverified');

      await put('acme', { fromName: 'Acme', fallbackPolicy: 'hold' });
      assert.equal((await call('POST', 'acme/smtp-relay/verify')).json().passed, true);
      assert.equal((await call('POST', 'acme/smtp-relay/activate')).json().status, 'active');
      const off = await call('POST', 'acme/smtp-relay/deactivate');
      assert.equal(off.statusCode, 200);
      assert.equal(off.json().status, 'off');
      assert.equal(off.json().activeSince, null);
      assert.equal((await call('POST', 'acme/smtp-relay/deactivate')).json().status, 'off', 'deactivating twice is harmless');
      assert.equal((await call('POST', 'acme/smtp-relay/activate')).json().status, 'active', 'still verified: activates again');
    });

    test('every change is in the audit log, without the password', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/audit-log?limit=100', headers: t.auth });
      assert.equal(res.statusCode, 200, res.body);
      bodies.push(res.body);
      const actions = (res.json().entries as { action: string }[]).map((e) => e.action);
      for (const action of ['relay.saved', 'relay.checked', 'relay.activated', 'relay.deactivated']) assert.ok(actions.includes(action), action);
    });

    test('activating and deactivating are platform events (GET /v1/events and webhooks)', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/events?organizationId=acme&limit=500', headers: t.auth });
      const events = (res.json().events as { type: string; data: { status: string } }[]).filter((e) => e.type === 'relay.activated' || e.type === 'relay.deactivated');
      assert.deepEqual(
        events.slice(-3).map((e) => [e.type, e.data.status]),
        [
          ['relay.activated', 'active'],
          ['relay.deactivated', 'off'],
          ['relay.activated', 'active'],
        ],
        'deactivating a relay already off says nothing',
      );
    });

    test('DELETE removes the relay and is idempotent', async () => {
      const removed = await call('DELETE', 'acme/smtp-relay');
      assert.equal(removed.statusCode, 204);
      assert.equal((await call('GET', 'acme/smtp-relay')).json().error.code, 'relay_not_found');
      assert.equal((await call('DELETE', 'acme/smtp-relay')).statusCode, 204);
      assert.equal((await call('GET', 'acme/smtp-relay/status')).json().configured, false);
    });

    test('GET /v1/smtp-presets: every provider with limits and guides, for authenticated callers only', async () => {
      const anonymous = await t.app.inject({ method: 'GET', url: '/v1/smtp-presets' });
      assert.equal(anonymous.statusCode, 401);
      const res = await t.app.inject({ method: 'GET', url: '/v1/smtp-presets', headers: t.auth });
      assert.equal(res.statusCode, 200);
      const presets = res.json().presets as { id: string; limits: { maxConnections: number }; guide: { fr: string[]; en: string[] } }[];
      assert.equal(presets.length, 16);
      assert.ok(presets.every((p) => p.limits.maxConnections > 0 && p.guide.fr.length > 0 && p.guide.en.length > 0));
      assert.ok(presets.some((p) => p.id === 'microsoft-365'));
      // No platform application registered here: no "Connect with …" button is offered.
      assert.deepEqual(res.json().connectProviders, []);
    });

    test('no response and no log line holds the password in any form', () => {
      assert.ok(bodies.length > 20);
      assertNoLeak(bodies, CREDENTIALS.password, CREDENTIALS.username);
      assertNoLeak(bodies, 'not-the-right-one');
      assert.ok(t.logs.length > 0, 'logs were captured');
      assertNoLeak(t.logs, CREDENTIALS.password, CREDENTIALS.username);
      assertNoLeak(t.logs, 'not-the-right-one');
    });
  });
}
