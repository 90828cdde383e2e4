// SMTP submission's protocol edges, on both dialects: implicit TLS (RELAIS_SMTPS_PORT) with
// AUTH LOGIN, EHLO's announcements, header injection refused, and the metrics of a session.
// Servers on 127.0.0.1, random ports.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { dialects } from '../../test/support/databases.ts';
import { createOrganization, createRelayTestApp, type RelayTestApp } from '../../test/support/relays.ts';
import { openSmtpDialogue, plainAuth } from '../../test/support/smtp-client.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { TEST_CA, TEST_CERTS } from '../../test/support/tls.ts';
import { startSubmission, type SubmissionServer } from './submission.ts';

let platform: SmtpFixture;

before(async () => {
  platform = await startSmtpFixture({ security: 'none' });
});
after(async () => {
  await platform.close();
});

for (const dialect of await dialects()) {
  describe(`SMTP submission protocol (${dialect})`, () => {
    let t: RelayTestApp;
    let smtp: SubmissionServer;
    let clear: SubmissionServer;

    const count = async () =>
      ((await t.app.inject({ method: 'GET', url: '/v1/organizations/atelier/messages?limit=200', headers: t.auth })).json().messages as unknown[]).length;

    before(async () => {
      t = await createRelayTestApp({ dialect, env: { RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${platform.port}` } });
      await createOrganization(t, 'atelier', false);
      smtp = await startSubmission(t.app.relais, { host: '127.0.0.1', port: 0, tlsPort: 0, tls: TEST_CERTS.relay, allowInsecureAuth: false });
      clear = await startSubmission(t.app.relais, { host: '127.0.0.1', port: 0, allowInsecureAuth: true });
    });
    after(async () => {
      await smtp.close();
      await clear.close();
      await t.close();
    });

    test('implicit TLS with AUTH LOGIN: queued and delivered; the session and the message are counted', async () => {
      const client = nodemailer.createTransport({
        host: '127.0.0.1',
        port: smtp.tlsPort,
        secure: true,
        tls: { ca: [TEST_CA] },
        auth: { user: 'atelier', pass: t.apiKey },
        authMethod: 'LOGIN',
      });
      const info = await client.sendMail({ from: 'noreply@app.example', to: 'paul@example.org', subject: 'Implicit TLS', text: 'x', messageId: `<tls-${dialect}@app.example>` });
      assert.match(info.response, /^250 2\.0\.0 Ok: queued as msg_/);
      await t.app.relais.dispatcher.runOnce();
      assert.ok(platform.messages.some((m) => m.parsed.messageId === `<tls-${dialect}@app.example>`));
      const metrics = await t.app.relais.metrics.registry.metrics();
      assert.match(metrics, /relais_smtp_sessions_total [1-9]/);
      assert.match(metrics, /relais_smtp_messages_total\{outcome="accepted"\} [1-9]/);
    });

    test('EHLO announces SIZE (the limit less room for the routing headers), STARTTLS, enhanced status codes; AUTH only after TLS', async () => {
      const d = await openSmtpDialogue(smtp.port as number);
      try {
        const ehlo = await d.command('EHLO client.test');
        assert.match(ehlo, new RegExp(`SIZE ${smtp.sizeLimit}\\b`));
        assert.ok(smtp.sizeLimit < t.config.maxMessageBytes);
        assert.match(ehlo, /STARTTLS/);
        assert.match(ehlo, /ENHANCEDSTATUSCODES/);
        assert.doesNotMatch(ehlo, /AUTH/, 'AUTH is not offered in clear');
        assert.match(await d.command(`AUTH PLAIN ${plainAuth('atelier', t.apiKey)}`), /^5\d\d /);
        assert.match(await d.command('MAIL FROM:<a@app.example>'), /^530 5\.7\.0 /);
      } finally {
        d.close();
      }
    });

    test('a header section with NUL or a bare CR is refused (554 5.6.0), nothing stored', async () => {
      const before = await count();
      for (const header of ['Subject: a\0b', 'Subject: a\rBcc: injected@example.org']) {
        const d = await openSmtpDialogue(clear.port as number);
        try {
          await d.command('EHLO client.test');
          assert.match(await d.command(`AUTH PLAIN ${plainAuth('atelier', t.apiKey)}`), /^235 /);
          assert.match(await d.command('MAIL FROM:<a@app.example>'), /^250 /);
          assert.match(await d.command('RCPT TO:<paul@example.org>'), /^250 /);
          assert.match(await d.command('DATA'), /^354 /);
          assert.match(await d.command(`From: a@app.example\r\n${header}\r\n\r\nbody\r\n.`), /^554 5\.6\.0 /);
        } finally {
          d.close();
        }
      }
      assert.equal(await count(), before);
    });

    test('MAIL before AUTH is refused: the port relays nothing for anyone', async () => {
      const d = await openSmtpDialogue(clear.port as number);
      try {
        await d.command('EHLO client.test');
        assert.match(await d.command('MAIL FROM:<a@app.example>'), /^530 5\.7\.0 /);
      } finally {
        d.close();
      }
    });
  });
}
