// Proves the SMTP fixture behaves like the relays it stands for, seen from a real client
// (nodemailer): TLS modes, authentication, scripted replies and misbehaving connections.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { startNonSmtpServer, startSmtpFixture, SSH_BANNER } from './smtp-fixture.ts';
import type { FixtureOptions, SmtpFixture } from './smtp-fixture.ts';
import { TEST_CA } from './tls.ts';
import type { TestCertName } from './tls.ts';

const CREDENTIALS = { username: 'formation@acme.test', password: 'app-password' };

interface ClientOptions {
  secure?: boolean;
  requireTLS?: boolean;
  ignoreTLS?: boolean;
  auth?: { user: string; pass: string };
  greetingTimeout?: number;
  socketTimeout?: number;
}

function client(fixture: SmtpFixture, options: ClientOptions = {}) {
  return nodemailer.createTransport({
    host: fixture.host,
    port: fixture.port,
    secure: options.secure ?? false,
    requireTLS: options.requireTLS,
    ignoreTLS: options.ignoreTLS,
    auth: options.auth,
    tls: { ca: TEST_CA },
    // Short timeouts keep a broken case from stalling the suite; only the "hang" cases wait on them.
    connectionTimeout: 2000,
    greetingTimeout: options.greetingTimeout ?? 2000,
    socketTimeout: options.socketTimeout ?? 2000,
  });
}

const message = {
  from: 'Acme Formation <formation@acme.test>',
  to: 'learner@example.test',
  subject: 'Signature requise',
  text: 'Merci de signer la feuille de présence.',
};

async function withFixture(t: { after: (fn: () => Promise<void>) => void }, options: FixtureOptions): Promise<SmtpFixture> {
  const fixture = await startSmtpFixture(options);
  t.after(() => fixture.close());
  return fixture;
}

describe('SMTP fixture', () => {
  test('accepts mail over STARTTLS with AUTH on 127.0.0.2:587 and captures it parsed', async (t) => {
    const fixture = await withFixture(t, { host: '127.0.0.2', port: 587, security: 'starttls-required', auth: CREDENTIALS });
    assert.equal(fixture.url, 'smtp://formation%40acme.test:app-password@127.0.0.2:587');

    const info = await client(fixture, { requireTLS: true, auth: { user: CREDENTIALS.username, pass: CREDENTIALS.password } }).sendMail(message);
    assert.deepEqual(info.accepted, ['learner@example.test']);

    const [captured] = await fixture.waitForMessages(1);
    assert.ok(captured);
    assert.deepEqual(captured.envelope, { from: 'formation@acme.test', to: ['learner@example.test'] });
    assert.equal(captured.parsed.subject, 'Signature requise');
    assert.equal(captured.parsed.text?.trim(), 'Merci de signer la feuille de présence.');
    assert.match(captured.raw, /^Subject: Signature requise\r$/m);
    assert.equal(captured.authUser, CREDENTIALS.username);
    assert.equal(captured.secure, true);
    assert.deepEqual(fixture.authAttempts, [{ username: CREDENTIALS.username, ok: true }]);
    assert.deepEqual(
      fixture.sessions[0]?.events.map((e) => [e.command, e.outcome]),
      [['CONNECT', 220], ['AUTH', 235], ['MAIL', 250], ['RCPT', 250], ['DATA', 250]],
    );
  });

  test('accepts mail over implicit TLS on 127.0.0.3:465', async (t) => {
    const fixture = await withFixture(t, { host: '127.0.0.3', port: 465, security: 'tls', auth: CREDENTIALS });
    assert.equal(fixture.url, 'smtps://formation%40acme.test:app-password@127.0.0.3:465');
    await client(fixture, { secure: true, auth: { user: CREDENTIALS.username, pass: CREDENTIALS.password } }).sendMail(message);
    const [captured] = await fixture.waitForMessages(1);
    assert.equal(captured?.secure, true);
    assert.equal(fixture.sessions[0]?.secure, true);
  });

  test('rejects one of two recipients with exactly the scripted reply', async (t) => {
    const fixture = await withFixture(t, {
      script: {
        rcpt: (address) =>
          address.startsWith('bad') ? { code: 550, text: `5.1.1 <${address}>: Recipient address rejected: User unknown` } : undefined,
      },
    });
    const info = await client(fixture).sendMail({ ...message, to: ['bad@example.test', 'good@example.test'] });
    assert.deepEqual(info.rejected, ['bad@example.test']);
    assert.equal(info.rejectedErrors?.[0]?.response, '550 5.1.1 <bad@example.test>: Recipient address rejected: User unknown');
    const [captured] = await fixture.waitForMessages(1);
    assert.deepEqual(captured?.envelope.to, ['good@example.test']);
  });

  test('fails the first DATA with 451, then accepts the retry', async (t) => {
    const fixture = await withFixture(t, {
      script: { data: [{ code: 451, text: '4.3.0 Error: queue file write error' }, 'accept'] },
    });
    const transport = client(fixture);
    await assert.rejects(transport.sendMail(message), { responseCode: 451, response: '451 4.3.0 Error: queue file write error' });
    assert.equal(fixture.messages.length, 0);
    await transport.sendMail(message);
    assert.equal((await fixture.waitForMessages(1)).length, 1);
  });

  test('setScript changes the answers between two steps', async (t) => {
    const fixture = await withFixture(t, {});
    const transport = client(fixture);
    fixture.setScript({ mail: [{ code: 553, text: '5.7.1 Sender address rejected: not owned by user' }] });
    await assert.rejects(transport.sendMail(message), { responseCode: 553, response: '553 5.7.1 Sender address rejected: not owned by user' });
    fixture.setScript({ data: () => ({ code: 250, text: '2.0.0 Ok: queued as 4ABC' }) });
    const info = await transport.sendMail(message);
    assert.equal(info.response, '250 2.0.0 Ok: queued as 4ABC');
  });

  test('refuses the connection with the scripted greeting', async (t) => {
    const fixture = await withFixture(t, { script: { connect: [{ code: 554, text: '5.7.1 Service unavailable; client host blocked' }] } });
    await assert.rejects(client(fixture).sendMail(message), { response: '554 5.7.1 Service unavailable; client host blocked' });
  });

  test('hangs at the greeting until the client gives up', async (t) => {
    const fixture = await withFixture(t, { script: { connect: ['hang'] } });
    await assert.rejects(client(fixture, { greetingTimeout: 200 }).sendMail(message), { code: 'ETIMEDOUT' });
    assert.equal(fixture.connections, 1);
    assert.equal(fixture.sessions[0]?.events[0]?.outcome, 'hang');
  });

  test('drops the connection before the final DATA reply and keeps nothing', async (t) => {
    const fixture = await withFixture(t, { security: 'tls', script: { data: ['drop'] } });
    await assert.rejects(client(fixture, { secure: true }).sendMail(message), { code: 'ECONNECTION' });
    assert.equal(fixture.messages.length, 0);
    assert.deepEqual(fixture.sessions[0]?.events.at(-1), { command: 'DATA', outcome: 'drop' });
  });

  test('hangs after DATA until the client gives up', async (t) => {
    const fixture = await withFixture(t, { script: { data: ['hang'] } });
    await assert.rejects(client(fixture, { socketTimeout: 200 }).sendMail(message), { code: 'ETIMEDOUT' });
    assert.equal(fixture.messages.length, 0);
  });

  test('refuses a message over the advertised SIZE', async (t) => {
    const fixture = await withFixture(t, { size: 1000 });
    await assert.rejects(client(fixture).sendMail({ ...message, text: 'x'.repeat(5000) }), { responseCode: 552 });
    assert.equal(fixture.messages.length, 0);
  });

  test('answers a wrong password with 535 5.7.8', async (t) => {
    const fixture = await withFixture(t, { auth: CREDENTIALS });
    await assert.rejects(client(fixture, { auth: { user: CREDENTIALS.username, pass: 'wrong' } }).sendMail(message), {
      code: 'EAUTH',
      responseCode: 535,
      response: '535 5.7.8 Authentication credentials invalid',
    });
    assert.deepEqual(fixture.authAttempts, [{ username: CREDENTIALS.username, ok: false }]);
  });

  test('requires authentication before MAIL when auth is set', async (t) => {
    const fixture = await withFixture(t, { auth: CREDENTIALS });
    await assert.rejects(client(fixture).sendMail(message), { responseCode: 530, response: '530 5.7.0 Authentication required' });
  });

  test('starttls-required refuses MAIL and AUTH in clear with 530 5.7.0', async (t) => {
    const fixture = await withFixture(t, { security: 'starttls-required' });
    await assert.rejects(client(fixture, { ignoreTLS: true }).sendMail(message), {
      responseCode: 530,
      response: '530 5.7.0 Must issue a STARTTLS command first',
    });
    const withAuth = await withFixture(t, { security: 'starttls-required', auth: CREDENTIALS });
    await assert.rejects(
      client(withAuth, { ignoreTLS: true, auth: { user: CREDENTIALS.username, pass: CREDENTIALS.password } }).sendMail(message),
      { responseCode: 530, response: '530 5.7.0 Must issue a STARTTLS command first' },
    );
    assert.deepEqual(withAuth.authAttempts, [{ username: CREDENTIALS.username, ok: false }]);
  });

  const badCertificates: [TestCertName, string][] = [
    ['expired', 'CERT_HAS_EXPIRED'],
    ['wronghost', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['selfsigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ];
  for (const [cert, reason] of badCertificates) {
    test(`a verifying client refuses the ${cert} certificate (${reason})`, async (t) => {
      const fixture = await withFixture(t, { security: 'tls', cert });
      const error = await client(fixture, { secure: true })
        .sendMail(message)
        .then(
          () => assert.fail('the TLS handshake should have failed'),
          (failure: unknown) => failure as Error & { code?: string; originalCode?: string },
        );
      // nodemailer reports a socket error and keeps the TLS reason as originalCode.
      assert.equal(error.code, 'ESOCKET');
      assert.equal(error.originalCode, reason, error.message);
      assert.equal(fixture.messages.length, 0);
    });
  }

  test('refuses a script the server cannot honour', async (t) => {
    const fixture = await withFixture(t, {});
    assert.throws(() => fixture.setScript({ rcpt: [{ code: 250, text: '2.1.5 Ok' }] }), /rcpt cannot reply 250/);
  });

  test('waitForMessages rejects with a clear message on timeout', async (t) => {
    const fixture = await withFixture(t, {});
    await assert.rejects(fixture.waitForMessages(1, 20), /expected 1 message\(s\) within 20 ms, received 0/);
  });

  test('a non-SMTP server greets with its own banner', async (t) => {
    const server = await startNonSmtpServer({ host: '127.0.0.4' });
    t.after(() => server.close());
    const socket = net.connect(server.port, server.host);
    const [greeting] = (await new Promise<Buffer[]>((resolve, reject) => {
      socket.once('data', (chunk: Buffer) => resolve([chunk]));
      socket.once('error', reject);
    })) as [Buffer];
    socket.destroy();
    assert.equal(greeting.toString(), SSH_BANNER);
    assert.equal(server.connections, 1);
  });
});
