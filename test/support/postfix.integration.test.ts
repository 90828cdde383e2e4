// Proves the private Postfix fixture answers like a production submission server, seen
// from a real client (nodemailer): accepted mail is relayed on, and each refusal carries
// the reply a real MTA gives (these are what Relais's reply classification must handle).
// In CI a missing MTA fails the run; locally it skips with the reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { postfixUnavailableReason, startPostfix, type PostfixFixture } from './postfix.ts';

interface Arrival {
  mailFrom: string;
  rcptTo: string[];
  remoteAddress: string;
  mail: ParsedMail;
}

/** Plain SMTP server on loopback recording what Postfix relays to it. */
async function startCapture(host: string) {
  const arrivals: Arrival[] = [];
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          arrivals.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            remoteAddress: session.remoteAddress,
            mail,
          });
          for (const wake of waiters.splice(0)) wake();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.server.address() as AddressInfo;

  /** Resolves with the arrival whose Subject matches; Postfix relays asynchronously. */
  async function waitFor(subject: string, timeoutMs = 10_000): Promise<Arrival> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = arrivals.find((arrival) => arrival.mail.subject === subject);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no message "${subject}" reached the capture server`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  return { host, port, waitFor, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface SubmitOptions {
  password?: string;
  auth?: boolean;
  secure?: boolean;
  ignoreTLS?: boolean;
}

function submissionClient(postfix: PostfixFixture, options: SubmitOptions = {}) {
  return nodemailer.createTransport({
    host: postfix.host,
    port: postfix.port,
    secure: options.secure ?? false,
    requireTLS: !options.ignoreTLS && !options.secure,
    ignoreTLS: options.ignoreTLS ?? false,
    auth: options.auth === false ? undefined : { user: postfix.username, pass: options.password ?? postfix.password },
    tls: { ca: postfix.caPem, servername: postfix.serverName },
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 5_000,
  });
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message: string;
}

async function failureOf(attempt: Promise<unknown>): Promise<SmtpFailure> {
  try {
    await attempt;
  } catch (error) {
    return error as SmtpFailure;
  }
  assert.fail('the submission was expected to be refused');
}

const unavailable = postfixUnavailableReason();

if (unavailable !== undefined && process.env.CI) {
  test('a real MTA is installed for the integration tests', () => {
    assert.fail(`the MTA for integration tests is missing in CI: ${unavailable}`);
  });
} else {
  describe('private Postfix submission server', { skip: unavailable && `no private Postfix: ${unavailable}` }, () => {
    let capture: Awaited<ReturnType<typeof startCapture>>;
    let postfix: PostfixFixture;

    before(async () => {
      capture = await startCapture('127.0.0.10');
      postfix = await startPostfix({ host: '127.0.0.9', deliverTo: { host: capture.host, port: capture.port } });
    });
    after(async () => {
      await postfix?.stop();
      await capture?.close();
    });

    test('relays an authenticated STARTTLS submission from an owned sender', async () => {
      const subject = `Attendance sheet ${Date.now()}`;
      const transport = submissionClient(postfix);
      const info = await transport.sendMail({
        from: { name: 'École des Tests', address: postfix.ownedSender },
        to: 'trainee@example.test',
        subject,
        text: 'Please sign the attendance sheet.',
      });
      transport.close();
      assert.match(info.response, /^250 2\.0\.0 Ok: queued as /);

      const arrival = await capture.waitFor(subject);
      assert.equal(arrival.mailFrom, postfix.ownedSender);
      assert.deepEqual(arrival.rcptTo, ['trainee@example.test']);
      assert.equal(arrival.remoteAddress, postfix.host);
      assert.deepEqual(arrival.mail.from?.value, [{ name: 'École des Tests', address: postfix.ownedSender }]);
      assert.equal(arrival.mail.text?.trim(), 'Please sign the attendance sheet.');
      // Postfix records an authenticated, encrypted submission as ESMTPSA.
      assert.match(String(arrival.mail.headers.get('received')), /with ESMTPSA/);
    });

    test('refuses a wrong password with 535 5.7.8', async () => {
      const transport = submissionClient(postfix, { password: 'not-the-password' });
      const failure = await failureOf(transport.verify());
      transport.close();
      assert.equal(failure.responseCode, 535);
      assert.match(failure.response ?? '', /^535 5\.7\.8 Error: authentication failed/);
    });

    test('refuses MAIL before STARTTLS with 530 5.7.0', async () => {
      const transport = submissionClient(postfix, { ignoreTLS: true, auth: false });
      const failure = await failureOf(
        transport.sendMail({ from: postfix.ownedSender, to: 'trainee@example.test', subject: 'plain', text: 'x' }),
      );
      transport.close();
      assert.equal(failure.responseCode, 530);
      assert.match(failure.response ?? '', /^530 5\.7\.0 Must issue a STARTTLS command first/);
    });

    test('refuses a sender the user does not own with 553 5.7.1', async () => {
      const transport = submissionClient(postfix);
      const failure = await failureOf(
        transport.sendMail({ from: 'ceo@elsewhere.test', to: 'trainee@example.test', subject: 'spoof', text: 'x' }),
      );
      transport.close();
      assert.equal(failure.responseCode, 553);
      assert.match(
        failure.response ?? '',
        new RegExp(`^553 5\\.7\\.1 <ceo@elsewhere\\.test>: Sender address rejected: not owned by user ${postfix.username}`),
      );
    });

    test('fails implicit TLS on the STARTTLS port', async () => {
      const transport = submissionClient(postfix, { secure: true });
      const failure = await failureOf(transport.verify());
      transport.close();
      assert.match(`${failure.code} ${failure.message}`, /wrong version number|packet length too long|ETIMEDOUT/i);
    });

    test('runs alongside another instance on a different loopback address', async () => {
      const second = await startPostfix({ host: '127.0.0.8', deliverTo: { host: capture.host, port: capture.port } });
      try {
        const subject = `Second instance ${Date.now()}`;
        const transport = submissionClient(second);
        await transport.sendMail({ from: second.ownedSender, to: 'trainee@example.test', subject, text: 'x' });
        transport.close();
        const arrival = await capture.waitFor(subject);
        assert.equal(arrival.remoteAddress, '127.0.0.8');
      } finally {
        await second.stop();
      }
    });
  });
}
