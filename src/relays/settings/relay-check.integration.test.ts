// POST …/smtp-relay/check and /verify through the API: the flight check of saved or unsaved
// settings against a real SMTP relay (STARTTLS + AUTH), streamed step by step, recorded for the
// saved version (what activation requires); verification as the same check up to sign-in; one
// rate limit for both; a stored password only reused where and as it was saved; never
// revealing the password. Fixtures on 127.0.0.16, .17 and .69.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { addMember, sessionHeaders } from '../../../test/support/actors.ts';
import { dialects } from '../../../test/support/databases.ts';
import { createRelayTestApp, fakeResolver, type RelayTestApp } from '../../../test/support/relays.ts';
import { startSmtpFixture, type SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import { up as convertCheckCodes } from '../../store/migrations/008_check_explanation_ids.ts';

const GOOD = 'correct-horse-battery';
const BAD = 'wrong-password-123';
/** A server whose traffic someone watches (127.0.0.69; the test certificate names *.relay.test). */
const WATCHED = 'watched.relay.test';

for (const dialect of await dialects()) {
  describe(`relay flight check API (${dialect})`, () => {
    let relay: SmtpFixture;
    let t: RelayTestApp;

    const body = (password?: string) => ({
      preset: 'custom',
      host: '127.0.0.16',
      port: 587,
      security: 'starttls',
      username: 'formation@acme.test',
      ...(password ? { password } : {}),
      fromEmail: 'formation@acme.test',
      fromName: 'Acme Formation',
      fallbackPolicy: 'fallback',
    });
    const call = (method: 'GET' | 'PUT' | 'POST', path: string, payload?: object, headers: Record<string, string> = {}) =>
      t.app.inject({ method, url: `/v1/organizations/acme/smtp-relay${path}`, headers: { ...t.auth, ...headers }, ...(payload ? { payload } : {}) });

    before(async () => {
      relay = await startSmtpFixture({ host: '127.0.0.16', port: 587, security: 'starttls-required', auth: { username: 'formation@acme.test', password: GOOD } });
      t = await createRelayTestApp({ dialect, env: { RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true' }, resolver: fakeResolver({ [WATCHED]: '127.0.0.69' }) });
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme', locale: 'fr' });
      await t.app.relais.organizations.update('acme', { features: { customSmtp: true } });
    });
    after(async () => {
      await t.close();
      await relay.close();
    });

    test('a wrong password fails at the auth step, explained in French; activation is refused', async () => {
      assert.equal((await call('PUT', '', body(BAD))).statusCode, 201);
      const res = await call('POST', '/check', {});
      assert.equal(res.statusCode, 200, res.body);
      const { report, recordedVersion } = res.json();
      assert.equal(report.passed, false);
      assert.equal(recordedVersion, 1);
      const auth = report.steps.find((s: { id: string }) => s.id === 'auth');
      assert.equal(auth.status, 'fail');
      assert.equal(auth.explanation.id, 'auth-failed');
      assert.match(auth.explanation.title, /identifiant|mot de passe/i);
      assert.ok(auth.explanation.fix.length > 0);
      assert.deepEqual(
        report.steps.filter((s: { status: string }) => s.status === 'skipped').map((s: { id: string }) => s.id),
        ['sender', 'recipient', 'test-email'],
      );
      const activate = await call('POST', '/activate');
      assert.equal(activate.statusCode, 409);
      assert.equal(activate.json().error.code, 'relay_not_verified');
    });

    test('after fixing the password, the streamed check passes step by step and activation works', async () => {
      assert.equal((await call('PUT', '', body(GOOD))).statusCode, 200);
      const res = await call('POST', '/check', {}, { accept: 'application/x-ndjson', 'accept-language': 'en' });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /application\/x-ndjson/);
      const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
      const steps = lines.filter((l) => l.step).map((l) => l.step.id);
      assert.deepEqual(steps.slice(0, 8), ['dns', 'connect', 'greeting', 'tls', 'ehlo', 'auth', 'sender', 'recipient']);
      const last = lines.at(-1);
      assert.equal(last.report.passed, true);
      assert.equal(last.report.locale, 'en');
      assert.equal(last.recordedVersion, 2);
      const activate = await call('POST', '/activate');
      assert.equal(activate.statusCode, 200, activate.body);
      assert.equal(activate.json().status, 'active');
    });

    test('unsaved settings are checked without being recorded; a stored password never goes to another host', async () => {
      const { fromName: _n, fallbackPolicy: _f, ...settings } = body();
      const connections = relay.connections;
      const other = await call('POST', '/check', { settings: { ...settings, host: '127.0.0.17' } });
      assert.equal(other.statusCode, 422);
      assert.equal(other.json().error.code, 'password_required');
      const same = await call('POST', '/check', { settings });
      assert.equal(same.statusCode, 200, same.body);
      assert.equal(same.json().recordedVersion, null);
      assert.equal(same.json().report.passed, true);
      assert.equal(relay.connections, connections + 1, 'only the check with the stored password connected');
    });

    test('the test email goes to another address only with a confirmation', async () => {
      const unconfirmed = await call('POST', '/check', { sendTestEmail: true, toEmail: 'someone@elsewhere.test' });
      assert.equal(unconfirmed.statusCode, 422);
      assert.equal(unconfirmed.json().error.code, 'recipient_confirmation_required');
      const before = relay.messages.length;
      const confirmed = await call('POST', '/check', { sendTestEmail: true, toEmail: 'someone@elsewhere.test', confirmRecipient: true });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal(confirmed.json().report.testEmail.accepted, true);
      const [mail] = (await relay.waitForMessages(before + 1)).slice(before);
      assert.deepEqual(mail?.envelope.to, ['someone@elsewhere.test']);
      assert.equal(mail?.parsed.from?.value[0]?.address, 'formation@acme.test');
    });

    test('auto-detection reports what the relay offers and recommends STARTTLS on 587', async () => {
      const res = await call('POST', '/detect', { host: '127.0.0.16' });
      assert.equal(res.statusCode, 200, res.body);
      const detection = res.json();
      const submission = detection.ports.find((p: { port: number }) => p.port === 587);
      assert.equal(submission.reachable, true);
      assert.equal(submission.starttls, true);
      assert.deepEqual(detection.recommended, { port: 587, security: 'starttls' });
    });

    test('a check of unsaved settings reuses the stored password only with the same host, port, user name, security and certificate rule', async () => {
      // An owner who does not know the password points the settings at a server they watch,
      // in clear or without certificate checks: Relais must not send the stored password there.
      const watched = await startSmtpFixture({ host: '127.0.0.69', port: 587, security: 'starttls', auth: { username: 'formation@watched.test', password: GOOD } });
      try {
        await t.app.relais.organizations.create({ id: 'watched', name: 'Watched', locale: 'en' });
        const saved = {
          preset: 'custom',
          host: WATCHED,
          port: 587,
          security: 'starttls',
          username: 'formation@watched.test',
          fromEmail: 'formation@watched.test',
        };
        const put = await t.app.inject({
          method: 'PUT',
          url: '/v1/organizations/watched/smtp-relay',
          headers: t.auth,
          payload: { ...saved, password: GOOD, fromName: 'Watched', fallbackPolicy: 'fallback' },
        });
        assert.equal(put.statusCode, 201, put.body);
        const check = (settings: object) =>
          t.app.inject({ method: 'POST', url: '/v1/organizations/watched/smtp-relay/check', headers: t.auth, payload: { settings } });

        for (const change of [{ security: 'none' }, { allowSelfSigned: true }, { security: 'tls', port: 587 }, { security: 'none', allowSelfSigned: true }]) {
          const refused = await check({ ...saved, ...change });
          assert.equal(refused.statusCode, 422, JSON.stringify(change));
          assert.equal(refused.json().error.code, 'password_required');
          assert.match(refused.json().error.message, /security or the certificate rule changed/);
        }
        assert.equal(watched.connections, 0, 'no connection was opened');
        assert.equal(watched.authAttempts.length, 0, 'the watched server never saw AUTH');

        // The same five settings: the stored password is used, where and as it was saved.
        const same = await check({ ...saved, allowSelfSigned: false });
        assert.equal(same.statusCode, 200, same.body);
        assert.equal(same.json().report.passed, true, same.body);
        assert.equal(watched.connections, 1);
        assert.deepEqual(watched.authAttempts, [{ username: 'formation@watched.test', ok: true }]);
        assert.equal(watched.sessions.at(-1)?.secure, true, 'the password went over TLS');
      } finally {
        await watched.close();
      }
    });

    test('verify is the flight check up to sign-in: a wrong password is explained (auth-failed) and the status shows the explanation', async () => {
      assert.equal((await call('PUT', '', body(BAD))).statusCode, 200);
      const sessions = relay.sessions.length;
      const res = await call('POST', '/verify', undefined, { 'accept-language': 'en' });
      assert.equal(res.statusCode, 200, res.body);
      const { passed, version, report, relay: view } = res.json();
      assert.equal(passed, false);
      assert.equal(report.mode, 'sign-in');
      assert.equal(report.locale, 'en');
      assert.deepEqual(
        report.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`),
        ['dns:ok', 'connect:ok', 'greeting:ok', 'tls:ok', 'ehlo:ok', 'auth:fail'],
      );
      const auth = report.steps.find((s: { id: string }) => s.id === 'auth');
      assert.equal(auth.explanation.id, 'auth-failed');
      assert.match(auth.explanation.reply, /^535/);
      assert.equal(view.version, version);
      assert.equal(view.lastCheck.errorCode, 'auth-failed');
      assert.equal(view.lastCheck.explanation.id, 'auth-failed');
      assert.ok(relay.sessions.slice(sessions).every((session) => !session.events.some((e) => e.command === 'MAIL')), 'no MAIL FROM');

      // What the settings page's status card reads: the explanation, in the organization's language.
      const read = await call('GET', '');
      assert.equal(read.json().lastCheck.errorCode, 'auth-failed');
      assert.match(read.json().lastCheck.explanation.title, /identifiant|mot de passe/i);
      assert.match(read.json().lastCheck.explanation.reply, /^535/);
    });

    test('a last check stored in the old vocabulary (smtp_auth_failed) is converted and still explained', async () => {
      const { db } = t.db.store;
      const stored = async (code: string) => {
        await sql`UPDATE smtp_relays SET last_check_error_code = ${code} WHERE organization_id = 'acme'`.execute(db);
        await convertCheckCodes(db as unknown as Kysely<unknown>);
        return (await call('GET', '')).json().lastCheck;
      };
      const auth = await stored('smtp_auth_failed');
      assert.equal(auth.errorCode, 'auth-failed');
      assert.equal(auth.explanation.id, 'auth-failed');
      assert.match(auth.explanation.title, /identifiant|mot de passe/i);
      assert.equal((await stored('smtp_connect_timeout')).errorCode, 'connection-timeout');
      assert.equal((await stored('smtp_address_not_allowed')).explanation.id, 'address-not-allowed');
      assert.equal((await stored('smtp_something_else')).errorCode, 'unexpected-reply');
      assert.equal((await stored('auth-failed')).errorCode, 'auth-failed', 'explanation ids are left as they are');
    });

    test('a verification that cannot connect reports the failed network step in whole seconds', async () => {
      const moved = await call('PUT', '', { ...body(GOOD), port: 2525 });
      assert.equal(moved.statusCode, 200, moved.body);
      const res = await call('POST', '/verify');
      assert.equal(res.statusCode, 200, res.body);
      const failed = res.json().report.steps.find((s: { status: string }) => s.status === 'fail');
      assert.equal(failed.id, 'connect');
      assert.equal(failed.explanation.id, 'connection-refused');
      assert.ok(failed.durationMs >= 1000 && failed.durationMs % 1000 === 0, `rounded: ${failed.durationMs}`);
      assert.equal(res.json().relay.lastCheck.errorCode, 'connection-refused');
    });

    test('no response and no log line carries the password', () => {
      for (const secret of [GOOD, BAD]) {
        const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
        for (const line of t.logs) for (const form of forms) assert.ok(!line.includes(form), 'password in a log line');
      }
    });
  });
}

for (const dialect of await dialects()) {
  describe(`check and verify rate limit (${dialect})`, () => {
    let relay: SmtpFixture;
    let t: RelayTestApp;
    const settings = { host: '127.0.0.17', port: 587, security: 'starttls', username: 'u@acme.test', password: GOOD, fromEmail: 'u@acme.test' };
    const post = (path: string, payload?: object) =>
      t.app.inject({ method: 'POST', url: `/v1/organizations/acme/smtp-relay${path}`, headers: t.auth, ...(payload ? { payload } : {}) });

    before(async () => {
      relay = await startSmtpFixture({ host: '127.0.0.17', port: 587, security: 'starttls', auth: { username: 'u@acme.test', password: GOOD } });
      t = await createRelayTestApp({ dialect, env: { RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true' } });
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
      const saved = await t.app.inject({
        method: 'PUT',
        url: '/v1/organizations/acme/smtp-relay',
        headers: t.auth,
        payload: { preset: 'custom', ...settings, fromName: 'Acme', fallbackPolicy: 'fallback' },
      });
      assert.equal(saved.statusCode, 201, saved.body);
    });
    after(async () => {
      await t.close();
      await relay.close();
    });

    test('checks and verifications share one budget: the 11th within an hour is refused with 429 and Retry-After, without connecting', async () => {
      for (let i = 0; i < 5; i++) {
        const checked = await post('/check', { settings });
        assert.equal(checked.statusCode, 200, checked.body);
        const verified = await post('/verify');
        assert.equal(verified.statusCode, 200, verified.body);
        assert.equal(verified.json().passed, true, verified.body);
      }
      const connections = relay.connections;
      for (const refused of [await post('/verify'), await post('/check', { settings }), await post('/detect', { host: '127.0.0.17' })]) {
        assert.equal(refused.statusCode, 429, refused.body);
        assert.equal(refused.json().error.code, 'rate_limited');
        assert.ok(Number(refused.headers['retry-after']) > 0);
      }
      assert.equal(relay.connections, connections, 'a refused check or verification opens no connection');
    });

    test('a person has a budget of their own across organizations: their 11th verification is refused', async () => {
      for (const org of ['alpha', 'beta']) {
        await t.app.relais.organizations.create({ id: org, name: org });
        await addMember(t.app.relais, org, 'olivia', 'owner');
        const saved = await t.app.inject({
          method: 'PUT',
          url: `/v1/organizations/${org}/smtp-relay`,
          headers: t.auth,
          payload: { preset: 'custom', ...settings, fromName: org, fallbackPolicy: 'fallback' },
        });
        assert.equal(saved.statusCode, 201, saved.body);
      }
      const olivia = await sessionHeaders(t.app.relais, 'olivia');
      const verify = (org: string) => t.app.inject({ method: 'POST', url: `/v1/organizations/${org}/smtp-relay/verify`, headers: olivia });
      for (let i = 0; i < 5; i++) {
        for (const org of ['alpha', 'beta']) assert.equal((await verify(org)).statusCode, 200);
      }
      const connections = relay.connections;
      const refused = await verify('beta');
      assert.equal(refused.statusCode, 429, refused.body);
      assert.equal(refused.json().error.code, 'rate_limited');
      assert.equal(relay.connections, connections);
      // The organization still has budget for someone else.
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/organizations/beta/smtp-relay/verify', headers: t.auth })).statusCode, 200);
    });
  });
}
