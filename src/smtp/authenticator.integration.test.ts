// One SmtpAuthenticator signs in for the flight check and for delivery (nodemailer), against a
// real SMTP relay (STARTTLS required, AUTH PLAIN/LOGIN). Fixture on 127.0.0.70.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordAuthenticator, type SmtpAuthenticator } from './authenticator.ts';
import { fromNodemailerError } from './failure.ts';
import { firstFailure, runFlightCheck } from './flight-check.ts';
import { createNodemailerTransport } from './nodemailer-transport.ts';
import { classify } from './reply-classification.ts';
import type { TransportSettings } from './transport.ts';
import { fakeResolver } from '../../test/support/relays.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { TEST_CA } from '../../test/support/tls.ts';

/** The test certificate names *.relay.test, not 127.0.0.70. */
const HOST = 'auth.relay.test';
const CREDENTIALS = { username: 'formation@relay.test', password: 'Auth3nticator-pass' };
const RAW = Buffer.from('From: formation@relay.test\r\nTo: learner@example.org\r\nSubject: Test\r\n\r\nBonjour\r\n');

/** Records the mechanisms it signed in with, around the password authenticator. */
function recording(pass: string): SmtpAuthenticator & { used: string[] } {
  const inner = passwordAuthenticator({ user: CREDENTIALS.username, pass });
  const used: string[] = [];
  return {
    used,
    user: inner.user,
    mechanism: (offered) => inner.mechanism(offered),
    signIn: (channel, mechanism) => {
      used.push(mechanism);
      return inner.signIn(channel, mechanism);
    },
  };
}

describe('SMTP authenticator', () => {
  let relay: SmtpFixture;
  const settings = (extra: Partial<TransportSettings>): TransportSettings => ({
    host: HOST,
    port: 587,
    resolveAddress: async () => '127.0.0.70',
    security: 'starttls',
    ca: [TEST_CA],
    timeouts: { connection: 2000, greeting: 2000, socket: 4000 },
    ...extra,
  });

  before(async () => {
    relay = await startSmtpFixture({ host: '127.0.0.70', port: 587, security: 'starttls-required', auth: CREDENTIALS, hostname: 'relay.test' });
  });
  after(async () => {
    await relay.close();
  });

  test('the same authenticator signs in for the flight check and for delivery', async () => {
    const authenticator = recording(CREDENTIALS.password);
    const report = await runFlightCheck(
      { mode: 'sign-in', host: HOST, port: 587, security: 'starttls', authenticator, fromEmail: CREDENTIALS.username, locale: 'en' },
      { guard: { allowedPorts: [587], allowPrivate: true, resolver: fakeResolver({ [HOST]: '127.0.0.70' }) }, ca: [TEST_CA] },
    );
    assert.equal(report.passed, true, JSON.stringify(firstFailure(report)));
    assert.equal(report.steps.find((s) => s.id === 'auth')?.data?.authMechanism, 'PLAIN');

    const transport = createNodemailerTransport(settings({ authenticator }));
    try {
      const result = await transport.send({ from: CREDENTIALS.username, to: ['learner@example.org'] }, RAW);
      assert.deepEqual(result.accepted, ['learner@example.org']);
    } finally {
      await transport.close();
    }
    const [delivered] = await relay.waitForMessages(1);
    assert.equal(delivered?.authUser, CREDENTIALS.username);
    assert.equal(delivered?.secure, true);
    assert.deepEqual(authenticator.used, ['PLAIN', 'PLAIN'], 'the check and delivery both signed in through it');
  });

  test('delivery with a refused password fails as EAUTH with the server reply, explained as auth-failed, never the password', async () => {
    const transport = createNodemailerTransport(settings({ auth: { user: CREDENTIALS.username, pass: 'wrong-password-123' } }));
    try {
      const error = await transport.send({ from: CREDENTIALS.username, to: ['learner@example.org'] }, RAW).then(
        () => assert.fail('the send should fail'),
        (e: unknown) => e as { code?: string; response?: string; message?: string },
      );
      assert.equal(error.code, 'EAUTH');
      assert.match(error.response ?? '', /^535 5\.7\.8/);
      const failure = fromNodemailerError(error);
      assert.equal(failure.stage, 'auth');
      assert.equal(classify(failure).explanation, 'auth-failed');
      assert.doesNotMatch(JSON.stringify({ ...error, message: error.message }), /wrong-password-123/);
    } finally {
      await transport.close();
    }
    assert.deepEqual(relay.authAttempts.at(-1), { username: CREDENTIALS.username, ok: false });
  });
});
