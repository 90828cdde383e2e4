// The flight check in sign-in mode (relay verification and the probes of a failing relay)
// against real SMTP servers: every step it reports, what it refuses before opening a socket,
// and the caller's deadline (signal) that ends a run as relay-timeout.
// Fixtures sit on 127.0.0.66 (mail.relay.test) and 127.0.0.67 (relay.test).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { firstFailure, runFlightCheck } from './flight-check.ts';
import type { FlightCheckDeps, FlightCheckInput, FlightCheckReport, FlightCheckStep } from './flight-check.ts';
import { fakeResolver } from '../../test/support/relays.ts';
import { SSH_BANNER, startNonSmtpServer, startSmtpFixture, type NonSmtpServer, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { TEST_CA } from '../../test/support/tls.ts';

const CREDENTIALS = { username: 'relay-user', password: 'c0nnection-Check-pass' };
const PORTS = [25, 465, 587, 2525];
const MAIL = 'mail.relay.test';
const OTHER = 'relay.test';
const resolver = fakeResolver({ [MAIL]: '127.0.0.66', [OTHER]: '127.0.0.67' });

function input(host: string, port: number, overrides: Partial<FlightCheckInput> = {}): FlightCheckInput {
  return {
    mode: 'sign-in',
    host,
    port,
    security: 'starttls',
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
    fromEmail: 'formation@relay.test',
    locale: 'en',
    ...overrides,
  };
}

function deps(overrides: Partial<FlightCheckDeps> = {}): FlightCheckDeps {
  return { guard: { allowedPorts: PORTS, allowPrivate: true, resolver }, ca: [TEST_CA], timeouts: { connection: 2000, greeting: 2000, socket: 4000 }, ...overrides };
}

const statuses = (report: FlightCheckReport) => report.steps.map((s) => `${s.id}:${s.status}`);
const failure = (report: FlightCheckReport): FlightCheckStep => {
  const failed = firstFailure(report);
  assert.ok(failed, `no failed step: ${statuses(report).join(' ')}`);
  return failed;
};

describe('flight check, sign-in mode', () => {
  let submission: SmtpFixture;
  let implicit: SmtpFixture;
  let wrongHost: SmtpFixture;
  let selfSigned: SmtpFixture;
  let ssh: NonSmtpServer;

  before(async () => {
    submission = await startSmtpFixture({ host: '127.0.0.66', port: 587, security: 'starttls-required', auth: CREDENTIALS, hostname: MAIL });
    implicit = await startSmtpFixture({ host: '127.0.0.66', port: 465, security: 'tls', auth: CREDENTIALS, hostname: MAIL });
    wrongHost = await startSmtpFixture({ host: '127.0.0.66', port: 2525, security: 'tls', cert: 'wronghost', auth: CREDENTIALS, hostname: MAIL });
    selfSigned = await startSmtpFixture({ host: '127.0.0.67', port: 465, security: 'tls', cert: 'selfsigned', auth: CREDENTIALS, hostname: OTHER });
    ssh = await startNonSmtpServer({ host: '127.0.0.67', port: 587 });
  });
  after(async () => {
    await Promise.all([submission.close(), implicit.close(), wrongHost.close(), selfSigned.close(), ssh.close()]);
  });

  test('STARTTLS submission: every step passes, TLS before AUTH, and the run stops after sign-in', async () => {
    const report = await runFlightCheck(input(MAIL, 587), deps());
    assert.equal(report.passed, true, JSON.stringify(firstFailure(report)));
    assert.equal(report.mode, 'sign-in');
    assert.deepEqual(statuses(report), ['dns:ok', 'connect:ok', 'greeting:ok', 'tls:ok', 'ehlo:ok', 'auth:ok']);
    const tls = report.steps.find((s) => s.id === 'tls');
    assert.match(tls?.data?.tlsVersion ?? '', /^TLSv1\.[23]$/);
    assert.equal(tls?.data?.certificate?.trusted, true);
    assert.deepEqual(submission.authAttempts.at(-1), { username: CREDENTIALS.username, ok: true });
    const events = submission.sessions.at(-1)?.events.map((e) => e.command) ?? [];
    assert.ok(!events.includes('MAIL') && !events.includes('RCPT'), `no MAIL FROM or RCPT TO in sign-in mode: ${events.join(' ')}`);
    assert.equal(submission.messages.length, 0, 'no message is sent');
  });

  test('implicit TLS: TLS comes before the greeting', async () => {
    const report = await runFlightCheck(input(MAIL, 465, { security: 'tls' }), deps());
    assert.equal(report.passed, true, JSON.stringify(firstFailure(report)));
    assert.deepEqual(
      report.steps.map((s) => s.id),
      ['dns', 'connect', 'tls', 'greeting', 'ehlo', 'auth'],
    );
  });

  test('a wrong password fails at auth as auth-failed with the server reply, never the password', async () => {
    const report = await runFlightCheck(input(MAIL, 587, { password: 'wrong-password-123' }), deps());
    const failed = failure(report);
    assert.equal(failed.id, 'auth');
    assert.equal(failed.explanation?.id, 'auth-failed');
    assert.match(failed.explanation?.reply ?? '', /^535 5\.7\.8/);
    assert.doesNotMatch(JSON.stringify(report), /wrong-password-123/);
    assert.doesNotMatch(JSON.stringify(report), new RegExp(Buffer.from('wrong-password-123').toString('base64')));
  });

  test('a Microsoft 535 5.7.139 at sign-in is explained as SMTP AUTH disabled (what a probe records)', async () => {
    submission.setScript({
      auth: () => ({ code: 535, text: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' }),
    });
    try {
      const report = await runFlightCheck(input(MAIL, 587, { preset: 'microsoft-365' }), deps());
      assert.equal(failure(report).explanation?.id, 'microsoft-smtp-auth-disabled');
      assert.match(failure(report).explanation?.reply ?? '', /^535 5\.7\.139/);
    } finally {
      submission.setScript({});
    }
  });

  test('a certificate for another host fails at TLS before any credential is sent', async () => {
    const attempts = wrongHost.authAttempts.length;
    const report = await runFlightCheck(input(MAIL, 2525, { security: 'tls' }), deps());
    const failed = failure(report);
    assert.equal(failed.id, 'tls');
    assert.equal(failed.explanation?.id, 'certificate-hostname-mismatch');
    assert.equal(wrongHost.authAttempts.length, attempts);
  });

  test('a self-signed certificate fails unless the relay accepts it explicitly (then it passes with a warning)', async () => {
    const strict = await runFlightCheck(input(OTHER, 465, { security: 'tls' }), deps());
    assert.equal(failure(strict).id, 'tls');
    assert.equal(failure(strict).explanation?.id, 'certificate-untrusted');
    assert.equal(selfSigned.authAttempts.length, 0, 'the password never reaches an unverified certificate');
    const lenient = await runFlightCheck(input(OTHER, 465, { security: 'tls', allowSelfSigned: true }), deps());
    assert.equal(lenient.passed, true, JSON.stringify(firstFailure(lenient)));
    const tls = lenient.steps.find((s) => s.id === 'tls');
    assert.equal(tls?.status, 'warn');
    assert.equal(tls?.explanation?.id, 'certificate-not-verified');
  });

  test('implicit TLS against a STARTTLS port fails at TLS', async () => {
    const report = await runFlightCheck(input(MAIL, 587, { security: 'tls' }), deps());
    assert.equal(report.passed, false);
    assert.equal(failure(report).id, 'tls');
  });

  test('a non-SMTP service: failed greeting, its banner never shown', async () => {
    const report = await runFlightCheck(input(OTHER, 587), deps());
    assert.equal(failure(report).id, 'greeting');
    assert.equal(failure(report).explanation?.id, 'not-smtp-server');
    assert.doesNotMatch(JSON.stringify(report), /OpenSSH/);
    assert.ok(!JSON.stringify(report).includes(SSH_BANNER.trim()));
  });

  test('nothing listening: fails at connect, in whole seconds', async () => {
    const report = await runFlightCheck(input(OTHER, 25), deps());
    const failed = failure(report);
    assert.equal(failed.id, 'connect');
    assert.equal(failed.explanation?.id, 'connection-refused');
    assert.ok(failed.durationMs >= 1000 && failed.durationMs % 1000 === 0, `rounded duration: ${failed.durationMs}`);
  });

  test('an address the guard refuses: fails at dns without opening a socket', async () => {
    const before = submission.connections;
    const report = await runFlightCheck(input(MAIL, 587), deps({ guard: { allowedPorts: PORTS, allowPrivate: false, resolver } }));
    assert.equal(failure(report).id, 'dns');
    assert.equal(failure(report).explanation?.id, 'address-not-allowed');
    assert.deepEqual(statuses(report), ['dns:fail', 'connect:skipped', 'greeting:skipped', 'tls:skipped', 'ehlo:skipped', 'auth:skipped']);
    assert.equal(submission.connections, before);
  });
});

describe('flight check: the caller’s deadline (signal)', () => {
  let silent: SmtpFixture;

  before(async () => {
    silent = await startSmtpFixture({ host: '127.0.0.68', port: 587, security: 'starttls-required', auth: CREDENTIALS, hostname: MAIL });
  });
  after(async () => {
    await silent.close();
  });

  const slow = deps({ guard: { allowedPorts: PORTS, allowPrivate: true, resolver: fakeResolver({ [MAIL]: '127.0.0.68' }) }, timeouts: { connection: 30_000, greeting: 30_000, socket: 30_000 } });

  test('aborted while the server stays silent before its greeting: the greeting fails as relay-timeout, at once', async () => {
    silent.setScript({ connect: ['hang'] });
    const controller = new AbortController();
    const started = performance.now();
    const report = await runFlightCheck(input(MAIL, 587, { locale: 'fr' }), {
      ...slow,
      // The connection is open, the greeting awaited: the deadline fires now.
      onStep: (step) => {
        if (step.id === 'connect') setImmediate(() => controller.abort());
      },
      signal: controller.signal,
    });
    assert.ok(performance.now() - started < 10_000, 'the run ends at the abort, not at the 30 s timeouts');
    const failed = failure(report);
    assert.equal(failed.id, 'greeting');
    assert.equal(failed.explanation?.id, 'relay-timeout');
    assert.match(failed.explanation?.title ?? '', /lent/);
    assert.equal(failed.durationMs % 1000, 0, 'a failure without a reply is reported in whole seconds');
    assert.deepEqual(statuses(report), ['dns:ok', 'connect:ok', 'greeting:fail', 'tls:skipped', 'ehlo:skipped', 'auth:skipped']);
  });

  test('aborted while the server does not answer AUTH: auth fails as relay-timeout', async () => {
    silent.setScript({ auth: ['hang'] });
    const controller = new AbortController();
    const report = await runFlightCheck(input(MAIL, 587), {
      ...slow,
      onStep: (step) => {
        if (step.id === 'ehlo') setImmediate(() => controller.abort());
      },
      signal: controller.signal,
    });
    assert.equal(failure(report).id, 'auth');
    assert.equal(failure(report).explanation?.id, 'relay-timeout');
    assert.equal(report.passed, false);
  });

  test('a signal aborted before the run: no connection is opened', async () => {
    silent.setScript({});
    const before = silent.connections;
    const report = await runFlightCheck(input(MAIL, 587), { ...slow, signal: AbortSignal.abort() });
    assert.equal(failure(report).id, 'dns');
    assert.equal(failure(report).explanation?.id, 'relay-timeout');
    assert.equal(silent.connections, before);
  });
});
