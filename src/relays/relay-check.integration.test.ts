// POST …/smtp-relay/check through the API: the flight check of saved or unsaved settings
// against a real SMTP relay (STARTTLS + AUTH), streamed step by step, recorded for the
// saved version (what activation requires), rate limited, and never revealing the password.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../test/support/databases.ts';
import { createRelayTestApp, type RelayTestApp } from '../../test/support/relays.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';

const GOOD = 'correct-horse-battery';
const BAD = 'wrong-password-123';

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
      t = await createRelayTestApp({ dialect, env: { RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true' } });
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

    test('no response and no log line carries the password', () => {
      for (const secret of [GOOD, BAD]) {
        const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
        for (const line of t.logs) for (const form of forms) assert.ok(!line.includes(form), 'password in a log line');
      }
    });
  });
}

describe('flight check rate limit', () => {
  let relay: SmtpFixture;
  let t: RelayTestApp;

  before(async () => {
    relay = await startSmtpFixture({ host: '127.0.0.17', port: 587, security: 'starttls', auth: { username: 'u@acme.test', password: GOOD } });
    t = await createRelayTestApp({ env: { RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true' } });
    await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
  });
  after(async () => {
    await t.close();
    await relay.close();
  });

  test('the 11th check within an hour is refused with 429 and Retry-After', async () => {
    const settings = { host: '127.0.0.17', port: 587, security: 'starttls', username: 'u@acme.test', password: GOOD, fromEmail: 'u@acme.test' };
    for (let i = 0; i < 10; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/smtp-relay/check', headers: t.auth, payload: { settings } });
      assert.equal(res.statusCode, 200, res.body);
    }
    const connections = relay.connections;
    const refused = await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/smtp-relay/check', headers: t.auth, payload: { settings } });
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().error.code, 'rate_limited');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal(relay.connections, connections, 'a refused check opens no connection');
  });
});
