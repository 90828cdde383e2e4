// Real nodemailer sessions against the scripted loopback relay: what nodemailer actually
// reports for each failure must come out as the right SmtpFailure and classification.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { HTTP_BAD_REQUEST, SSH_BANNER, startNonSmtpServer, startSmtpFixture } from '../../test/support/smtp-fixture.ts';
import type { FixtureOptions } from '../../test/support/smtp-fixture.ts';
import { TEST_CA } from '../../test/support/tls.ts';
import { fromNodemailerError } from './failure.ts';
import type { ConnectionContext, SmtpFailure } from './failure.ts';
import { classify } from './reply-classification.ts';
import { explain } from './explanations.ts';

const CREDENTIALS = { username: 'formation@example.fr', password: 'the-password' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function relay(options: FixtureOptions): Promise<number> {
  const fixture = await startSmtpFixture({ auth: CREDENTIALS, ...options });
  cleanups.push(() => fixture.close());
  return fixture.port;
}

/** Sends one message with nodemailer and returns what it failed with, as a SmtpFailure. */
async function failureOf(options: Record<string, unknown>, context?: ConnectionContext): Promise<SmtpFailure> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    auth: { user: CREDENTIALS.username, pass: CREDENTIALS.password },
    tls: { ca: [TEST_CA] },
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    ...options,
  });
  try {
    await transport.sendMail({
      envelope: { from: 'formation@example.fr', to: ['someone@example.net'] },
      raw: 'From: formation@example.fr\r\nTo: someone@example.net\r\nSubject: Hello\r\n\r\nHello\r\n',
    });
  } catch (error) {
    return fromNodemailerError(error, context);
  } finally {
    transport.close();
  }
  throw new Error('the relay accepted the message');
}

describe('fromNodemailerError with real nodemailer sessions', () => {
  test('a refused password is a relay-config auth failure, with the Gmail steps for Gmail', async () => {
    const port = await relay({
      script: { auth: [{ code: 535, text: '5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials' }] },
    });
    const failure = await failureOf({ port });
    assert.deepEqual(failure, {
      stage: 'auth',
      code: 535,
      enhanced: '5.7.8',
      text: 'Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials',
    });
    assert.deepEqual(classify(failure), { class: 'relay-config', explanation: 'auth-failed' });
    const explained = explain(failure, { preset: 'gmail', locale: 'en' });
    assert.match(explained.cause, /app password/);
    assert.ok(explained.reply?.startsWith('535 5.7.8 Username and Password not accepted.'));
  });

  test('Microsoft 365 with SMTP AUTH disabled', async () => {
    const port = await relay({
      script: { auth: [{ code: 535, text: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' }] },
    });
    const failure = await failureOf({ port });
    assert.equal(failure.stage, 'auth');
    assert.equal(classify(failure).explanation, 'microsoft-smtp-auth-disabled');
  });

  test('STARTTLS required before signing in', async () => {
    const port = await relay({ security: 'starttls-required' });
    const failure = await failureOf({ port, ignoreTLS: true });
    assert.deepEqual({ stage: failure.stage, code: failure.code }, { stage: 'auth', code: 530 });
    assert.deepEqual(classify(failure), { class: 'relay-config', explanation: 'starttls-required' });
  });

  test('send-as refused at MAIL FROM', async () => {
    const port = await relay({ script: { mail: [{ code: 550, text: '5.7.60 SMTP; Client does not have permissions to send as this sender' }] } });
    const failure = await failureOf({ port });
    assert.deepEqual({ stage: failure.stage, code: failure.code, enhanced: failure.enhanced }, { stage: 'mail', code: 550, enhanced: '5.7.60' });
    assert.deepEqual(classify(failure), { class: 'relay-config', explanation: 'send-as-denied' });
  });

  test('unknown recipient at RCPT TO', async () => {
    const port = await relay({
      script: { rcpt: [{ code: 550, text: '5.1.1 <someone@example.net>: Recipient address rejected: User unknown in virtual mailbox table' }] },
    });
    const failure = await failureOf({ port });
    assert.equal(failure.stage, 'rcpt');
    assert.deepEqual(classify(failure), { class: 'recipient-permanent', explanation: 'recipient-unknown' });
  });

  test('a temporary refusal at RCPT TO with a delay', async () => {
    const port = await relay({ script: { rcpt: [{ code: 450, text: '4.2.1 Mailbox busy, try again in 15 minutes' }] } });
    const failure = await failureOf({ port });
    assert.deepEqual(classify(failure), { class: 'temporary', explanation: 'temporary-failure', retry: { minDelaySeconds: 900 } });
  });

  test('message too large, in the final reply', async () => {
    const port = await relay({ script: { data: [{ code: 552, text: '5.3.4 Message size exceeds fixed limit' }] } });
    const failure = await failureOf({ port });
    assert.equal(failure.stage, 'message');
    assert.deepEqual(classify(failure), { class: 'message-rejected', explanation: 'message-too-large' });
  });

  test('a 421 greeting is temporary', async () => {
    const port = await relay({ script: { connect: [{ code: 421, text: '4.7.0 Try again later, closing connection.' }] } });
    const failure = await failureOf({ port });
    assert.deepEqual({ stage: failure.stage, code: failure.code }, { stage: 'greeting', code: 421 });
    assert.deepEqual(classify(failure), { class: 'temporary', explanation: 'rate-limited', retry: { minDelaySeconds: 300 } });
  });

  test('no final reply after DATA: the connection is lost, retried', async () => {
    const port = await relay({ script: { data: ['drop'] } });
    const failure = await failureOf({ port }, { stage: 'message' });
    assert.deepEqual({ stage: failure.stage, network: failure.network }, { stage: 'message', network: 'CONNECTION_CLOSED' });
    assert.deepEqual(classify(failure), { class: 'temporary', explanation: 'connection-lost', retry: {} });
  });

  test('a closed port is connection refused', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const failure = await failureOf({ port });
    assert.deepEqual({ stage: failure.stage, network: failure.network }, { stage: 'connect', network: 'ECONNREFUSED' });
    assert.deepEqual(classify(failure), { class: 'relay-config', explanation: 'connection-refused' });
  });

  test('an SSH or web server on the port is not an SMTP server, and its words are not kept', async () => {
    for (const banner of [SSH_BANNER, HTTP_BAD_REQUEST]) {
      const server = await startNonSmtpServer({ banner });
      cleanups.push(() => server.close());
      const failure = await failureOf({ port: server.port });
      assert.deepEqual(failure, { stage: 'greeting', network: 'NOT_SMTP' });
      assert.deepEqual(classify(failure), { class: 'relay-config', explanation: 'not-smtp-server' });
      assert.equal(explain(failure, { locale: 'en' }).reply, undefined);
    }
  });

  test('implicit TLS against a STARTTLS port: wrong version number', async () => {
    const port = await relay({ security: 'starttls' });
    const failure = await failureOf({ port, secure: true });
    assert.deepEqual({ stage: failure.stage, network: failure.network }, { stage: 'tls', network: 'WRONG_TLS_MODE' });
    assert.deepEqual(classify(failure), { class: 'relay-config', explanation: 'tls-mode-mismatch' });
  });

  test('plain text against an implicit TLS port: no greeting, a mode mix-up on 465', async () => {
    const port = await relay({ security: 'tls' });
    const options = { port, secure: false, ignoreTLS: true, greetingTimeout: 100 };
    const onPort465 = await failureOf(options, { port: 465, secure: false });
    assert.deepEqual({ stage: onPort465.stage, network: onPort465.network }, { stage: 'greeting', network: 'WRONG_TLS_MODE' });
    assert.equal(classify(onPort465).explanation, 'tls-mode-mismatch');
    const elsewhere = await failureOf(options);
    assert.equal(elsewhere.network, 'GREETING_TIMEOUT');
    assert.deepEqual(classify(elsewhere), { class: 'temporary', explanation: 'greeting-timeout', retry: {} });
  });

  test('an expired certificate, with implicit TLS and after STARTTLS', async () => {
    const implicit = await failureOf({ port: await relay({ security: 'tls', cert: 'expired' }), secure: true });
    const upgraded = await failureOf({ port: await relay({ security: 'starttls', cert: 'expired' }), requireTLS: true });
    for (const failure of [implicit, upgraded]) {
      assert.deepEqual({ stage: failure.stage, network: failure.network }, { stage: 'tls', network: 'CERT_EXPIRED' });
      assert.deepEqual(classify(failure), { class: 'relay-config', explanation: 'certificate-expired' });
    }
  });

  test('a certificate for another host name', async () => {
    const failure = await failureOf({ port: await relay({ security: 'tls', cert: 'wronghost' }), secure: true });
    assert.equal(failure.network, 'CERT_HOSTNAME');
    assert.equal(classify(failure).explanation, 'certificate-hostname-mismatch');
  });

  test('a self-signed certificate, and one from an unknown authority', async () => {
    const selfSigned = await failureOf({ port: await relay({ security: 'tls', cert: 'selfsigned' }), secure: true });
    assert.equal(selfSigned.network, 'CERT_SELF_SIGNED');
    const unknownAuthority = await failureOf({ port: await relay({ security: 'tls' }), secure: true, tls: {} });
    assert.equal(unknownAuthority.network, 'CERT_INVALID');
    for (const failure of [selfSigned, unknownAuthority]) {
      assert.deepEqual(classify(failure), { class: 'relay-config', explanation: 'certificate-untrusted' });
    }
  });
});
