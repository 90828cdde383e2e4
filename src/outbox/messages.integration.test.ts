// Accept → outbox → dispatcher → a real SMTP server, on every dialect.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../test/support/databases.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { TEST_CA } from '../../test/support/tls.ts';

const PDF = Buffer.from('%PDF-1.4\n% Relais test attachment\n').toString('base64');

for (const dialect of await dialects()) {
  describe(`sending a message (${dialect})`, () => {
    let smtp: SmtpFixture;
    let t: TestApp;

    before(async () => {
      smtp = await startSmtpFixture({ security: 'starttls-required', auth: { username: 'platform', password: 'platform-secret' } });
      t = await createTestApp({
        dialect,
        env: { RELAIS_PLATFORM_SMTP_URL: `smtp://platform:platform-secret@127.0.0.1:${smtp.port}?starttls=required` },
        deps: { smtpCa: [TEST_CA] },
      });
      const created = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: 'acme', name: 'Acme Formation' } });
      assert.equal(created.statusCode, 201, created.body);
    });
    after(async () => {
      await t.close();
      await smtp.close();
    });

    test('delivers From, To, Cc, Subject, Message-ID, both bodies and attachments; Bcc only in the envelope', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/organizations/acme/messages',
        headers: t.auth,
        payload: {
          to: ['Léa Martin <lea@example.org>', 'paul@example.org'],
          cc: 'Trainer <trainer@example.org>',
          bcc: ['archive@example.org'],
          subject: 'Signez votre feuille de présence',
          text: 'Bonjour Léa, merci de signer.',
          html: '<p>Bonjour Léa, <b>merci de signer</b>.</p>',
          replyTo: 'Acme <contact@acme.example>',
          headers: { 'X-Training-Session': 'S-42' },
          category: 'signature-request',
          attachments: [{ filename: 'programme.pdf', contentType: 'application/pdf', contentBase64: PDF }],
        },
      });
      assert.equal(res.statusCode, 202, res.body);
      const { id, status } = res.json() as { id: string; status: string };
      assert.equal(status, 'queued');

      assert.equal(await t.app.relais.dispatcher.runOnce(), 1);
      const [mail] = await smtp.waitForMessages(1);
      assert.ok(mail);
      const p = mail.parsed;
      assert.equal(p.from?.text, '"Platform" <hello@platform.example>');
      assert.deepEqual(
        (Array.isArray(p.to) ? p.to : [p.to]).flatMap((a) => a?.value.map((v) => v.address)),
        ['lea@example.org', 'paul@example.org'],
      );
      assert.equal((Array.isArray(p.to) ? p.to[0] : p.to)?.value[0]?.name, 'Léa Martin');
      assert.equal(p.subject, 'Signez votre feuille de présence');
      assert.equal(p.text?.trim(), 'Bonjour Léa, merci de signer.');
      assert.equal(p.html, '<p>Bonjour Léa, <b>merci de signer</b>.</p>');
      assert.equal(p.replyTo?.text, '"Acme" <contact@acme.example>');
      assert.equal(p.headers.get('x-training-session'), 'S-42');
      assert.equal(p.headers.get('bcc'), undefined);
      assert.doesNotMatch(mail.raw, /archive@example\.org/);
      assert.deepEqual(mail.envelope.to.sort(), ['archive@example.org', 'lea@example.org', 'paul@example.org', 'trainer@example.org']);
      assert.equal(mail.envelope.from, 'hello@platform.example');
      assert.equal(p.attachments.length, 1);
      assert.equal(p.attachments[0]?.filename, 'programme.pdf');
      assert.equal(p.attachments[0]?.contentType, 'application/pdf');
      assert.equal(p.attachments[0]?.content.toString('base64'), PDF);
      assert.equal(mail.secure, true);
      assert.equal(mail.authUser, 'platform');

      const read = await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages/${id}`, headers: t.auth });
      assert.equal(read.statusCode, 200);
      const message = read.json();
      assert.equal(message.status, 'sent');
      assert.equal(message.route, 'platform');
      assert.equal(message.attempts, 1);
      assert.equal(message.category, 'signature-request');
      assert.equal(message.recipientCount, 4);
      assert.equal(p.messageId, message.messageId);
      assert.match(message.lastReply, /^250 /);
      assert.equal(message.history.length, 1);
      assert.equal(message.history[0].outcome, 'sent');
    });

    test('an Idempotency-Key returns the same message for the same body and 409 for another', async () => {
      const send = (subject: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/organizations/acme/messages',
          headers: { ...t.auth, 'idempotency-key': 'signature-S42-lea' },
          payload: { to: 'lea@example.org', subject, text: 'x' },
        });
      const first = await send('Rappel');
      const again = await send('Rappel');
      assert.equal(first.statusCode, 202);
      assert.equal(again.statusCode, 202);
      assert.equal(again.json().id, first.json().id);
      const other = await send('Autre sujet');
      assert.equal(other.statusCode, 409);
      assert.equal(other.json().error.code, 'idempotency_conflict');
      await t.app.relais.dispatcher.runOnce();
      const list = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/messages?limit=200', headers: t.auth });
      assert.equal(list.json().messages.filter((m: { id: string }) => m.id === first.json().id).length, 1);
    });

    test('lists newest first with a cursor and a status filter', async () => {
      for (let i = 0; i < 3; i++) {
        await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', headers: t.auth, payload: { to: 'a@example.org', subject: `n${i}`, text: 'x' } });
      }
      const queued = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/messages?status=queued', headers: t.auth });
      assert.equal(queued.json().messages.length, 3);
      const page1 = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/messages?status=queued&limit=2', headers: t.auth });
      const body1 = page1.json();
      assert.equal(body1.messages.length, 2);
      assert.ok(body1.nextCursor);
      const page2 = await t.app.inject({
        method: 'GET',
        url: `/v1/organizations/acme/messages?status=queued&limit=2&cursor=${body1.nextCursor}`,
        headers: t.auth,
      });
      const body2 = page2.json();
      assert.equal(body2.messages.length, 1);
      assert.equal(body2.nextCursor, null);
      const ids = [...body1.messages, ...body2.messages].map((m: { id: string }) => m.id);
      assert.deepEqual(ids, [...ids].sort().reverse());
      await t.app.relais.dispatcher.runOnce();
      const sent = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/messages?status=queued', headers: t.auth });
      assert.equal(sent.json().messages.length, 0);
    });

    test('metrics count accepted and sent messages by route', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /relais_messages_accepted_total \d+/);
      assert.match(res.body, /relais_messages_sent_total\{route="platform"\} \d+/);
      assert.match(res.body, /relais_queue_depth\{status="queued"\} 0/);
      assert.match(res.body, /relais_send_duration_seconds_count\{route="platform",outcome="sent"\} \d+/);
    });
  });
}
