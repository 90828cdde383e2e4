// The connection check against real SMTP servers: every step it reports, and what it refuses
// before opening a socket. Fixtures sit on 127.0.0.16 and 127.0.0.17.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSmtpTarget } from './address-guard.ts';
import { checkConnection } from './connection-check.ts';
import { NON_SMTP_REPLY_TEXT } from './reply-sanitize.ts';
import type { TransportSettings } from './transport.ts';
import { startNonSmtpServer, startSmtpFixture, type NonSmtpServer, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { TEST_CA } from '../../test/support/tls.ts';

const CREDENTIALS = { username: 'relay-user', password: 'c0nnection-Check-pass' };
const PORTS = [25, 465, 587, 2525];

function settings(fixture: { host: string; port: number }, overrides: Partial<TransportSettings> = {}): TransportSettings {
  const allowPrivate = true;
  return {
    host: fixture.host,
    port: fixture.port,
    security: 'starttls',
    auth: { user: CREDENTIALS.username, pass: CREDENTIALS.password },
    ca: [TEST_CA],
    timeouts: { connection: 2000, greeting: 2000, socket: 4000 },
    resolveAddress: async () => (await resolveSmtpTarget(fixture.host, fixture.port, { allowedPorts: PORTS, allowPrivate })).address,
    ...overrides,
  };
}

describe('connection check', () => {
  let submission: SmtpFixture;
  let implicit: SmtpFixture;
  let wrongHost: SmtpFixture;
  let selfSigned: SmtpFixture;
  let ssh: NonSmtpServer;

  before(async () => {
    submission = await startSmtpFixture({ host: '127.0.0.16', port: 587, security: 'starttls-required', auth: CREDENTIALS });
    implicit = await startSmtpFixture({ host: '127.0.0.16', port: 465, security: 'tls', auth: CREDENTIALS });
    wrongHost = await startSmtpFixture({ host: '127.0.0.16', port: 2525, security: 'tls', cert: 'wronghost', auth: CREDENTIALS });
    selfSigned = await startSmtpFixture({ host: '127.0.0.17', port: 465, security: 'tls', cert: 'selfsigned', auth: CREDENTIALS });
    ssh = await startNonSmtpServer({ host: '127.0.0.17', port: 587 });
  });
  after(async () => {
    await Promise.all([submission.close(), implicit.close(), wrongHost.close(), selfSigned.close(), ssh.close()]);
  });

  test('STARTTLS submission: every step passes, TLS before AUTH', async () => {
    const result = await checkConnection(settings(submission));
    assert.equal(result.passed, true, JSON.stringify(result.failure));
    assert.deepEqual(
      result.steps.map((s) => [s.name, s.status]),
      [
        ['resolve', 'ok'],
        ['connect', 'ok'],
        ['greeting', 'ok'],
        ['tls', 'ok'],
        ['auth', 'ok'],
      ],
    );
    assert.equal(result.tls?.authorized, true);
    assert.match(result.tls?.protocol ?? '', /^TLSv1\.[23]$/);
    assert.deepEqual(submission.authAttempts.at(-1), { username: CREDENTIALS.username, ok: true });
    assert.equal(submission.messages.length, 0, 'a connection check sends no message');
  });

  test('implicit TLS: TLS comes before the greeting', async () => {
    const result = await checkConnection(settings(implicit, { security: 'tls' }));
    assert.equal(result.passed, true, JSON.stringify(result.failure));
    assert.deepEqual(
      result.steps.map((s) => s.name),
      ['resolve', 'connect', 'tls', 'greeting', 'auth'],
    );
  });

  test('a wrong password fails at auth with the server reply, never the password', async () => {
    const result = await checkConnection(settings(submission, { auth: { user: CREDENTIALS.username, pass: 'wrong-password-123' } }));
    assert.equal(result.passed, false);
    assert.equal(result.failure?.step, 'auth');
    assert.equal(result.failure?.code, 'smtp_auth_failed');
    assert.equal(result.failure?.responseCode, 535);
    assert.match(result.failure?.reply ?? '', /^535 5\.7\.8/);
    assert.doesNotMatch(JSON.stringify(result), /wrong-password-123/);
  });

  test('a certificate for another host fails at TLS', async () => {
    const result = await checkConnection(settings(wrongHost, { security: 'tls' }));
    assert.equal(result.failure?.step, 'tls');
    assert.equal(result.failure?.code, 'smtp_tls_failed');
    assert.match(result.failure?.message ?? '', /another host name/);
    assert.equal(wrongHost.authAttempts.length, 0);
  });

  test('a self-signed certificate fails unless the relay accepts it explicitly', async () => {
    const strict = await checkConnection(settings(selfSigned, { security: 'tls' }));
    assert.equal(strict.failure?.step, 'tls');
    assert.match(strict.failure?.message ?? '', /trusted authority/);
    const lenient = await checkConnection(settings(selfSigned, { security: 'tls', allowSelfSigned: true }));
    assert.equal(lenient.passed, true, JSON.stringify(lenient.failure));
    assert.equal(lenient.tls?.authorized, false);
  });

  test('implicit TLS against a STARTTLS port fails at TLS', async () => {
    const result = await checkConnection(settings(submission, { security: 'tls' }));
    assert.equal(result.passed, false);
    assert.equal(result.failure?.step, 'tls');
  });

  test('a non-SMTP service: failed greeting, its banner never shown', async () => {
    const result = await checkConnection(settings(ssh));
    assert.equal(result.failure?.step, 'greeting');
    assert.equal(result.failure?.code, 'smtp_greeting_failed');
    assert.doesNotMatch(JSON.stringify(result), /OpenSSH/);
    if (result.failure?.reply) assert.equal(result.failure.reply, NON_SMTP_REPLY_TEXT);
  });

  test('nothing listening: fails at connect', async () => {
    const result = await checkConnection(settings({ host: '127.0.0.17', port: 25 }));
    assert.equal(result.failure?.step, 'connect');
    assert.equal(result.failure?.code, 'smtp_connect_failed');
  });

  test('an address the guard refuses: fails at resolve without opening a socket', async () => {
    const before = submission.connections;
    const result = await checkConnection(
      settings(submission, {
        resolveAddress: async () => (await resolveSmtpTarget(submission.host, submission.port, { allowedPorts: PORTS, allowPrivate: false })).address,
      }),
    );
    assert.equal(result.failure?.step, 'resolve');
    assert.equal(result.failure?.code, 'smtp_address_not_allowed');
    assert.deepEqual(
      result.steps.map((s) => s.status),
      ['fail', 'skipped', 'skipped', 'skipped', 'skipped'],
    );
    assert.equal(submission.connections, before);
  });
});
