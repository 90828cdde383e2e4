// SMTP submission end to end, on both dialects: nodemailer submits over STARTTLS with AUTH
// PLAIN (a platform API key as the password); the message is committed before the final 250
// and the dispatcher delivers it through the organization's active relay (as the organization)
// or the platform sender, byte for byte except the routing headers. Fixtures on 127.0.0.1,
// random ports; the throttling case connects from 127.0.0.181 (test/support/LOOPBACK.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { dialects, tempDir } from '../../test/support/databases.ts';
import { createOrganization, createRelayTestApp, storeRelay, type RelayTestApp } from '../../test/support/relays.ts';
import { openSmtpDialogue, plainAuth } from '../../test/support/smtp-client.ts';
import { startSmtpFixture, type CapturedMessage, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { TEST_CA, TEST_CERTS } from '../../test/support/tls.ts';
import { startSubmission, type SubmissionServer } from './submission.ts';

const RELAY = { username: 'formation@centre-lyon.test', password: 'Relay-Lyon/pass+1' };
const TLS = { cert: TEST_CERTS.relay.cert, key: TEST_CERTS.relay.key };

let relay: SmtpFixture;
let platform: SmtpFixture;

before(async () => {
  relay = await startSmtpFixture({ security: 'starttls-required', auth: RELAY });
  platform = await startSmtpFixture({ security: 'none' });
});
after(async () => {
  await Promise.all([relay.close(), platform.close()]);
});

/** swaks, an SMTP client independent of nodemailer (Debian package; required in CI). */
const SWAKS = spawnSync('swaks', ['--version']).error === undefined;
if (!SWAKS && process.env.CI) throw new Error('swaks is required in CI (apt-get install swaks)');

/** The exact bytes a client submits (so that the delivered copy can be compared with them). */
async function compose(mail: Mail.Options): Promise<Buffer> {
  return new MailComposer(mail).compile().build();
}

/** Header section and body of a message as text (the body from the blank line on). */
function splitRaw(raw: string): { header: string; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  return { header: raw.slice(0, at + 2), body: raw.slice(at + 2) };
}

function arrived(fixture: SmtpFixture, messageId: string): CapturedMessage[] {
  return fixture.messages.filter((m) => m.parsed.messageId === messageId);
}

for (const dialect of await dialects()) {
  describe(`SMTP submission (${dialect})`, () => {
    let t: RelayTestApp;
    let smtp: SubmissionServer;
    let n = 0;

    const client = (user: string, pass: string, extra: object = {}) =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        requireTLS: true,
        tls: { ca: [TEST_CA] },
        auth: { user, pass },
        authMethod: 'PLAIN',
        ...extra,
      });
    const submit = (user: string, raw: Buffer, to: string[], pass = t.apiKey) =>
      client(user, pass).sendMail({ envelope: { from: 'noreply@platform.example', to }, raw });
    const messagesOf = async (org: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/organizations/${org}/messages?limit=200`, headers: t.auth });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().messages as { id: string; source: string; messageId: string; status: string; route: string | null }[];
    };
    const uniqueId = () => `<submit-${dialect}-${++n}-${randomBytes(4).toString('hex')}@app.platform.example>`;

    before(async () => {
      t = await createRelayTestApp({
        dialect,
        env: {
          RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
          RELAIS_SMTP_ALLOWED_PORTS: String(relay.port),
          RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${platform.port}`,
          RELAIS_MAX_MESSAGE_BYTES: String(256 * 1024),
        },
      });
      await createOrganization(t, 'centre-lyon');
      await createOrganization(t, 'atelier');
      const now = t.app.relais.clock.now();
      await storeRelay(t.app.relais, 'centre-lyon', {
        host: '127.0.0.1',
        port: relay.port,
        security: 'starttls',
        username: RELAY.username,
        password: RELAY.password,
        fromEmail: 'formation@centre-lyon.test',
        fromName: 'Centre Lyon',
        status: 'active',
        activeSince: now,
      });
      smtp = await startSubmission(t.app.relais, { host: '127.0.0.1', port: 0, tls: TLS, allowInsecureAuth: false, maxFailuresPerAddress: 1000 });
    });
    after(async () => {
      await smtp.close();
      await t.close();
    });

    test('an organization with an active relay: delivered through it with its From; attachment and body byte for byte; Message-ID kept', async () => {
      const messageId = uniqueId();
      const pdf = randomBytes(20_000);
      const raw = await compose({
        from: 'Appli Formation <noreply@platform.example>',
        to: 'Léa Martin <lea@example.org>',
        subject: 'Attestation de présence',
        text: 'Bonjour Léa,\nvotre attestation est jointe.',
        html: '<p>Bonjour Léa,</p>',
        messageId,
        headers: { 'X-Campaign': 'juin' },
        attachments: [{ filename: 'attestation.pdf', content: pdf, contentType: 'application/pdf' }],
      });
      const info = await submit('centre-lyon', raw, ['lea@example.org']);
      assert.match(info.response, /^250 2\.0\.0 Ok: queued as msg_[0-9A-Za-z_-]+$/);
      const id = info.response.split(' ').at(-1) as string;

      // Committed before the 250.
      const listed = (await messagesOf('centre-lyon')).find((m) => m.id === id);
      assert.equal(listed?.source, 'smtp');
      assert.equal(listed?.messageId, messageId);

      await t.app.relais.dispatcher.runOnce();
      const [delivered, ...more] = arrived(relay, messageId);
      assert.ok(delivered, 'delivered through the organization relay');
      assert.equal(more.length, 0);
      assert.equal(arrived(platform, messageId).length, 0);
      assert.equal(delivered.authUser, RELAY.username);
      assert.equal(delivered.envelope.from, 'formation@centre-lyon.test');
      assert.deepEqual(delivered.envelope.to, ['lea@example.org']);
      assert.deepEqual(delivered.parsed.from?.value, [{ name: 'Centre Lyon', address: 'formation@centre-lyon.test' }]);
      assert.equal(delivered.parsed.replyTo?.value[0]?.address, 'noreply@platform.example', 'the submitted From becomes Reply-To');
      assert.equal(delivered.parsed.headers.get('x-campaign'), 'juin');
      assert.deepEqual(delivered.parsed.attachments[0]?.content, pdf, 'attachment bytes identical');
      // SMTP carries lines ending in CRLF: the client turned the composer's bare LF into CRLF on the wire.
      const sent = splitRaw(raw.toString('latin1').replace(/\r?\n/g, '\r\n'));
      const got = splitRaw(delivered.raw);
      assert.ok(got.body === sent.body, 'the body (every MIME part) is the submitted one, byte for byte');
      // Every submitted header but From stays as it was written.
      for (const line of sent.header.split(/\r\n(?=[^ \t])/).filter((l) => l && !/^From:/i.test(l))) {
        assert.ok(got.header.includes(line), `header kept as submitted: ${line.slice(0, 60)}`);
      }
      const detail = (await t.app.inject({ method: 'GET', url: `/v1/organizations/centre-lyon/messages/${id}`, headers: t.auth })).json();
      assert.equal(detail.status, 'sent');
      assert.equal(detail.route, 'relay');
      assert.equal(detail.source, 'smtp');
    });

    test('an organization without a relay: delivered through the platform sender, the submitted From as Reply-To', async () => {
      const messageId = uniqueId();
      const raw = await compose({ from: 'noreply@app.example', to: 'paul@example.org', subject: 'Rappel', text: 'Demain 9h.', messageId });
      const info = await submit('atelier', raw, ['paul@example.org']);
      assert.match(info.response, /^250 2\.0\.0 Ok: queued as msg_/);
      await t.app.relais.dispatcher.runOnce();
      const [delivered] = arrived(platform, messageId);
      assert.ok(delivered, 'delivered through the platform sender');
      assert.equal(delivered.parsed.from?.value[0]?.address, 'hello@platform.example');
      assert.equal(delivered.envelope.from, 'hello@platform.example');
      assert.equal(delivered.parsed.replyTo?.value[0]?.address, 'noreply@app.example');
      assert.equal(arrived(relay, messageId).length, 0);
      assert.equal((await messagesOf('atelier')).find((m) => m.messageId === messageId)?.source, 'smtp');
    });

    test('Bcc comes from the envelope only: the Bcc header never travels, envelope recipients not in To/Cc are Bcc', async () => {
      const messageId = uniqueId();
      const raw = await compose({ from: 'noreply@app.example', to: 'paul@example.org', bcc: 'secret@example.org', subject: 'Copie', text: 'x', messageId });
      // MailComposer keeps Bcc out of the message unless asked; add one by hand to see it removed.
      const withBcc = Buffer.concat([Buffer.from('Bcc: header-only@example.org\r\n'), raw]);
      await submit('atelier', withBcc, ['paul@example.org', 'hidden@example.org']);
      await t.app.relais.dispatcher.runOnce();
      const [delivered] = arrived(platform, messageId);
      assert.ok(delivered);
      assert.deepEqual([...delivered.envelope.to].sort(), ['hidden@example.org', 'paul@example.org']);
      assert.ok(!/^bcc:/im.test(splitRaw(delivered.raw).header), 'no Bcc header');
      assert.ok(!delivered.raw.includes('header-only@example.org'));
      const id = (await messagesOf('atelier')).find((m) => m.messageId === messageId)?.id;
      const detail = (await t.app.inject({ method: 'GET', url: `/v1/organizations/atelier/messages/${id}`, headers: t.auth })).json();
      assert.deepEqual(
        detail.recipients.map((r: { kind: string; address: string }) => `${r.kind}:${r.address}`),
        ['to:paul@example.org', 'bcc:hidden@example.org'],
      );
    });

    test('username platform: X-Relais-Organization routes the message and is removed before sending', async () => {
      const messageId = uniqueId();
      const raw = await compose({
        from: 'noreply@platform.example',
        to: 'lea@example.org',
        subject: 'Routé par en-tête',
        text: 'x',
        messageId,
        headers: { 'X-Relais-Organization': 'centre-lyon' },
      });
      const info = await submit('platform', raw, ['lea@example.org']);
      assert.match(info.response, /^250 2\.0\.0 Ok: queued as msg_/);
      await t.app.relais.dispatcher.runOnce();
      const [delivered] = arrived(relay, messageId);
      assert.ok(delivered, 'sent through centre-lyon relay');
      assert.ok(!/x-relais-organization/i.test(delivered.raw), 'the routing header was removed');

      const missing = await compose({ from: 'a@platform.example', to: 'lea@example.org', subject: 's', text: 'x' });
      await assert.rejects(submit('platform', missing, ['lea@example.org']), (e: { responseCode?: number; response?: string }) => {
        assert.equal(e.responseCode, 550);
        assert.match(e.response ?? '', /^550 5\.7\.1 /);
        return true;
      });
      const unknown = await compose({ from: 'a@platform.example', to: 'lea@example.org', subject: 's', text: 'x', headers: { 'X-Relais-Organization': 'nowhere' } });
      await assert.rejects(submit('platform', unknown, ['lea@example.org']), /550 5\.7\.1 X-Relais-Organization names no organization/);
      const other = await compose({ from: 'a@platform.example', to: 'lea@example.org', subject: 's', text: 'x', headers: { 'X-Relais-Organization': 'centre-lyon' } });
      await assert.rejects(submit('atelier', other, ['lea@example.org']), /550 5\.7\.1 X-Relais-Organization names another organization/);
    });

    test('a bad key or an unknown organization is refused at AUTH with 535 5.7.8, and nothing is stored', async () => {
      const before = (await messagesOf('atelier')).length + (await messagesOf('centre-lyon')).length;
      const raw = await compose({ from: 'a@platform.example', to: 'lea@example.org', subject: 's', text: 'x' });
      for (const [user, pass] of [
        ['atelier', 'rls_not-a-key-at-all-0123456789'],
        ['nowhere', t.apiKey],
        ['bad id with spaces', t.apiKey],
      ] as const) {
        await assert.rejects(submit(user, raw, ['lea@example.org'], pass), (e: { responseCode?: number; response?: string; command?: string }) => {
          assert.equal(e.command, 'AUTH PLAIN', 'refused at AUTH, not at DATA');
          assert.match(e.response ?? '', /^535 5\.7\.8 /);
          assert.ok(!(e.response ?? '').includes(t.apiKey));
          return true;
        });
      }
      const afterCount = (await messagesOf('atelier')).length + (await messagesOf('centre-lyon')).length;
      assert.equal(afterCount, before);
      const metrics = await t.app.relais.metrics.registry.getSingleMetricAsString('relais_smtp_auth_failures_total');
      assert.match(metrics, /reason="bad_key"} [1-9]/);
      assert.match(metrics, /reason="unknown_organization"} [1-9]/);
    });

    test('over the announced SIZE: 552 5.3.4; nothing stored', async () => {
      const count = (await messagesOf('atelier')).length;
      const big = await compose({ from: 'a@platform.example', to: 'lea@example.org', subject: 'gros', text: 'x', attachments: [{ filename: 'big.bin', content: randomBytes(smtp.sizeLimit) }] });
      await assert.rejects(submit('atelier', big, ['lea@example.org']), (e: { responseCode?: number; response?: string }) => {
        assert.equal(e.responseCode, 552);
        assert.match(e.response ?? '', /^552 5\.3\.4 /);
        return true;
      });
      // A client that does not declare SIZE is refused after DATA the same way.
      const insecure = await startSubmission(t.app.relais, { host: '127.0.0.1', port: 0, allowInsecureAuth: true });
      const d = await openSmtpDialogue(insecure.port as number);
      try {
        await d.command('EHLO client.test');
        await d.command(`AUTH PLAIN ${plainAuth('atelier', t.apiKey)}`);
        await d.command('MAIL FROM:<a@platform.example>');
        await d.command('RCPT TO:<lea@example.org>');
        assert.match(await d.command('DATA'), /^354 /);
        assert.match(await d.command(`Subject: gros\r\n\r\n${'x'.repeat(76).concat('\r\n').repeat(Math.ceil(smtp.sizeLimit / 78) + 10)}.`), /^552 5\.3\.4 /);
      } finally {
        d.close();
        await insecure.close();
      }
      assert.equal((await messagesOf('atelier')).length, count);
    });

    test('51 recipients: 452 4.5.3 for the 51st', async () => {
      const to = Array.from({ length: 51 }, (_, i) => `learner${i}@example.org`);
      const raw = await compose({ from: 'a@platform.example', to: 'learner0@example.org', subject: 'Tous', text: 'x' });
      const info = await submit('atelier', raw, to);
      assert.equal(info.accepted.length, 50);
      assert.deepEqual(info.rejected, ['learner50@example.org']);
      const [refused] = (info as unknown as { rejectedErrors: { response: string }[] }).rejectedErrors;
      assert.match(refused?.response ?? '', /^452 4\.5\.3 /);
    });

    test('the same Message-ID twice: accepted once, the second 250 names the first message', async () => {
      const messageId = uniqueId();
      const raw = await compose({ from: 'a@platform.example', to: 'lea@example.org', subject: 'Une fois', text: 'x', messageId });
      const first = await submit('atelier', raw, ['lea@example.org']);
      const second = await submit('atelier', raw, ['lea@example.org']);
      assert.match(first.response, /^250 2\.0\.0 Ok: queued as msg_/);
      assert.equal(second.response, first.response);
      assert.equal((await messagesOf('atelier')).filter((m) => m.messageId === messageId).length, 1);
      await t.app.relais.dispatcher.runOnce();
      assert.equal(arrived(platform, messageId).length, 1);
      // Another organization may use the same Message-ID: it is its own message.
      const elsewhere = await submit('centre-lyon', raw, ['lea@example.org']);
      assert.notEqual(elsewhere.response, first.response);
      const metrics = await t.app.relais.metrics.registry.getSingleMetricAsString('relais_smtp_messages_total');
      assert.match(metrics, /outcome="duplicate"} [1-9]/);
    });

    test('a Message-ID submitted again after 24 hours is a new message', async () => {
      const messageId = uniqueId();
      const raw = await compose({ from: 'a@platform.example', to: 'lea@example.org', subject: 'Un jour après', text: 'x', messageId });
      const first = await submit('atelier', raw, ['lea@example.org']);
      const clock = t.app.relais.clock as { now(): number };
      const realNow = clock.now.bind(clock);
      clock.now = () => realNow() + 24 * 3600_000 + 1000;
      try {
        const again = await submit('atelier', raw, ['lea@example.org']);
        assert.notEqual(again.response, first.response);
      } finally {
        clock.now = realNow;
      }
    });

    test('CR, LF and NUL in envelope addresses are refused; AUTH before STARTTLS is refused', async () => {
      const count = (await messagesOf('atelier')).length;
      const plain = await openSmtpDialogue(smtp.port as number);
      try {
        assert.match(await plain.command('EHLO client.test'), /STARTTLS/);
        assert.match(await plain.command(`AUTH PLAIN ${plainAuth('atelier', t.apiKey)}`), /^5\d\d /);
        assert.match(await plain.command('MAIL FROM:<a@platform.example>'), /^530 5\.7\.0 Authentication required: issue STARTTLS/);
      } finally {
        plain.close();
      }
      // The same checks on a port that takes AUTH in clear (loopback tests): the envelope is what is judged.
      const insecure = await startSubmission(t.app.relais, { host: '127.0.0.1', port: 0, allowInsecureAuth: true, maxFailuresPerAddress: 1000 });
      const d = await openSmtpDialogue(insecure.port as number);
      try {
        await d.command('EHLO client.test');
        assert.match(await d.command(`AUTH PLAIN ${plainAuth('atelier', t.apiKey)}`), /^235 /);
        assert.match(await d.command('MAIL FROM:<a\0b@platform.example>'), /^5\d\d /);
        assert.match(await d.command('MAIL FROM:<a\rb@platform.example>'), /^5\d\d /);
        assert.match(await d.command('MAIL FROM:<a@platform.example>'), /^250 /);
        assert.match(await d.command('RCPT TO:<lea\0@example.org>'), /^5\d\d /);
        assert.match(await d.command('RCPT TO:<lea\r@example.org>'), /^5\d\d /);
        // A line feed ends the command: neither half is a recipient.
        assert.match(await d.command('RCPT TO:<lea\n@example.org>'), /^5\d\d /);
        assert.match(await d.reply(), /^5\d\d /, 'the rest of the line is refused too');
        assert.match(await d.command('DATA'), /^503 /, 'no recipient was accepted');
      } finally {
        d.close();
        await insecure.close();
      }
      assert.equal((await messagesOf('atelier')).length, count);
    });

    test('swaks over STARTTLS (certificate verified) with AUTH PLAIN: queued, then delivered', { skip: !SWAKS && 'swaks not installed' }, async () => {
      const dir = tempDir('relais-swaks-');
      const caFile = path.join(dir, 'ca.pem');
      fs.writeFileSync(caFile, TEST_CA);
      const messageId = uniqueId();
      try {
        const { stdout } = await promisify(execFile)('swaks', [
          '--server', '127.0.0.1', '--port', String(smtp.port), '--tls', '--tls-verify', '--tls-ca-path', caFile,
          '--auth', 'PLAIN', '--auth-user', 'atelier', '--auth-password', t.apiKey,
          '--from', 'noreply@app.example', '--to', 'paul@example.org',
          '--header', 'Subject: Envoyé par swaks', '--header', `Message-Id: ${messageId}`, '--body', 'Bonjour Paul',
        ]);
        assert.match(stdout, /<~ {1,2}250 2\.0\.0 Ok: queued as msg_/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      await t.app.relais.dispatcher.runOnce();
      const [delivered] = arrived(platform, messageId);
      assert.ok(delivered, 'delivered through the platform sender');
      assert.equal(delivered.parsed.from?.value[0]?.address, 'hello@platform.example');
      assert.equal(delivered.parsed.replyTo?.value[0]?.address, 'noreply@app.example');
    });

    test('repeated AUTH failures from one address are throttled: 454 4.7.0, even with a good key', async () => {
      const guarded = await startSubmission(t.app.relais, { host: '127.0.0.1', port: 0, tls: TLS, allowInsecureAuth: false, maxFailuresPerAddress: 3 });
      const from181 = (user: string, pass: string) =>
        nodemailer.createTransport({
          host: '127.0.0.1',
          port: guarded.port,
          requireTLS: true,
          tls: { ca: [TEST_CA] },
          auth: { user, pass },
          authMethod: 'PLAIN',
          localAddress: '127.0.0.181',
        });
      try {
        for (let i = 0; i < 3; i++) await assert.rejects(from181('atelier', `rls_wrong-key-${i}-0123456789abcdef`).verify(), /535 5\.7\.8/);
        await assert.rejects(from181('atelier', t.apiKey).verify(), /454 4\.7\.0 Too many failed sign-ins/);
        // Another address is not held back.
        assert.equal(await client('atelier', t.apiKey).verify(), true);
      } finally {
        await guarded.close();
      }
    });
  });
}
