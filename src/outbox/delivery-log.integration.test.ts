// Per-recipient outcomes, the delivery log's filters, resending a failed message, and the
// platform's event feed — through the API, against a scripted SMTP server, on every dialect.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { dialects } from '../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';

for (const dialect of await dialects()) {
  describe(`delivery log (${dialect})`, () => {
    let smtp: SmtpFixture;
    let t: TestApp;
    let clock: ManualClock;

    const send = async (payload: object) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', headers: t.auth, payload });
      assert.equal(res.statusCode, 202, res.body);
      return (res.json() as { id: string }).id;
    };
    const read = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages/${id}`, headers: t.auth })).json();
    const list = async (query: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages?${query}`, headers: t.auth });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { messages: { id: string }[] }).messages.map((m) => m.id);
    };

    before(async () => {
      smtp = await startSmtpFixture({ security: 'none' });
      clock = new ManualClock();
      t = await createTestApp({ dialect, env: { RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` }, deps: { clock } });
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
    });
    after(async () => {
      await t.close();
      await smtp.close();
    });
    beforeEach(() => {
      smtp.setScript({});
      smtp.messages.length = 0;
    });

    test('550 5.1.1 for one of two recipients: that one failed, the other delivered', async () => {
      smtp.setScript({ rcpt: (to) => (to === 'gone@example.org' ? { code: 550, text: '5.1.1 <gone@example.org>: Recipient address rejected: User unknown' } : undefined) });
      const id = await send({ to: ['lea@example.org', 'gone@example.org'], subject: 'Partial', text: 'x' });
      await t.app.relais.dispatcher.runOnce();
      const [mail] = await smtp.waitForMessages(1);
      assert.deepEqual(mail?.envelope.to, ['lea@example.org']);
      const m = await read(id);
      assert.equal(m.status, 'sent');
      assert.equal(m.lastErrorCode, 'some_recipients_failed');
      const byAddress = Object.fromEntries(m.recipients.map((r: { address: string; status: string }) => [r.address, r.status]));
      assert.deepEqual(byAddress, { 'lea@example.org': 'sent', 'gone@example.org': 'failed' });
      assert.match(m.recipients.find((r: { address: string }) => r.address === 'gone@example.org').reply, /550 5\.1\.1/);
      const explained = await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages/${id}`, headers: { ...t.auth, 'accept-language': 'en' } });
      assert.equal(explained.json().history[0].errorCode, 'some_recipients_failed', 'the attempt is summarised');
    });

    test('a failed attempt carries its explanation in the reader\'s language', async () => {
      smtp.setScript({ rcpt: () => ({ code: 550, text: '5.1.1 <gone@example.org>: Recipient address rejected: User unknown' }) });
      const id = await send({ to: 'gone@example.org', subject: 'Gone', text: 'x' });
      await t.app.relais.dispatcher.runOnce();
      const fr = (await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages/${id}`, headers: t.auth })).json();
      const en = (await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages/${id}`, headers: { ...t.auth, 'accept-language': 'en-GB,en;q=0.9' } })).json();
      assert.equal(fr.history[0].errorCode, 'recipient-unknown');
      assert.equal(fr.history[0].classification, 'recipient-permanent');
      assert.ok(fr.history[0].explanation.title.length > 0);
      assert.ok(en.history[0].explanation.fix.length > 0);
      assert.notEqual(fr.history[0].explanation.title, en.history[0].explanation.title);
    });

    test('a temporary refusal for one recipient retries only that one', async () => {
      let busy = true;
      smtp.setScript({ rcpt: (to) => (to === 'busy@example.org' && busy ? { code: 452, text: '4.2.2 Mailbox temporarily over quota' } : undefined) });
      const id = await send({ to: ['lea@example.org', 'busy@example.org'], subject: 'Later', text: 'x' });
      await t.app.relais.dispatcher.runOnce();
      let m = await read(id);
      assert.equal(m.status, 'deferred');
      assert.equal(smtp.messages.length, 1);
      busy = false;
      clock.advance(10 * 60_000);
      await t.app.relais.dispatcher.runOnce();
      m = await read(id);
      assert.equal(m.status, 'sent');
      assert.equal(m.lastErrorCode, null);
      await smtp.waitForMessages(2);
      assert.deepEqual(smtp.messages.map((c) => c.envelope.to), [['lea@example.org'], ['busy@example.org']]);
      assert.equal(smtp.messages[0]?.parsed.messageId, smtp.messages[1]?.parsed.messageId, 'the same Message-ID on every attempt');
      assert.deepEqual(m.history.map((a: { outcome: string }) => a.outcome), ['deferred', 'sent']);
      assert.deepEqual(m.history.map((a: { classification: string | null }) => a.classification), ['temporary', null]);
    });

    test('filters by status, recipient, category and date; resends a failed message', async () => {
      smtp.setScript({ rcpt: () => ({ code: 550, text: '5.1.1 User unknown' }) });
      const failed = await send({ to: 'Nobody <NOBODY@example.org>', subject: 'Lost', text: 'x', category: 'reminder' });
      await t.app.relais.dispatcher.runOnce();
      smtp.setScript({});
      clock.advance(60_000);
      const other = await send({ to: 'lea@example.org', cc: 'trainer@example.org', subject: 'Found', text: 'x', category: 'signature-request' });
      await t.app.relais.dispatcher.runOnce();

      assert.deepEqual(await list('status=failed&category=reminder'), [failed]);
      assert.deepEqual(await list('recipient=nobody@example.org'), [failed]);
      assert.deepEqual(await list('recipient=TRAINER@example.org'), [other]);
      assert.deepEqual(await list('category=signature-request&status=sent'), [other]);
      const listed = (await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages?category=signature-request`, headers: t.auth })).json();
      assert.equal(listed.messages[0].subject, 'Found');
      assert.deepEqual(listed.messages[0].to, ['lea@example.org'], 'to recipients only, not cc');
      const at = new Date(clock.now() - 30_000).toISOString();
      assert.ok((await list(`from=${encodeURIComponent(at)}`)).includes(other));
      assert.ok(!(await list(`from=${encodeURIComponent(at)}`)).includes(failed));
      assert.ok((await list(`to=${encodeURIComponent(at)}`)).includes(failed));
      const day = new Date(clock.now()).toISOString().slice(0, 10);
      const yesterday = new Date(clock.now() - 24 * 3600_000).toISOString().slice(0, 10);
      assert.ok((await list(`from=${day}&to=${day}`)).includes(other), 'a day range includes that whole day');
      assert.deepEqual(await list(`to=${yesterday}`), []);

      const notFailed = await t.app.inject({ method: 'POST', url: `/v1/organizations/acme/messages/${other}/resend`, headers: t.auth });
      assert.equal(notFailed.statusCode, 409);
      assert.equal(notFailed.json().error.code, 'message_not_failed');

      const resent = await t.app.inject({ method: 'POST', url: `/v1/organizations/acme/messages/${failed}/resend`, headers: t.auth });
      assert.equal(resent.statusCode, 202, resent.body);
      const copy = resent.json() as { id: string; resentFrom: string };
      assert.equal(copy.resentFrom, failed);
      assert.notEqual(copy.id, failed);
      await t.app.relais.dispatcher.runOnce();
      const m = await read(copy.id);
      assert.equal(m.status, 'sent');
      assert.equal(m.resentFrom, failed);
      assert.notEqual(m.messageId, (await read(failed)).messageId);
      const arrived = smtp.messages.at(-1);
      assert.equal(arrived?.parsed.subject, 'Lost');
      assert.deepEqual(arrived?.envelope.to, ['nobody@example.org']);
    });

    test('the event feed lists message events in order, readable from a cursor', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/events?limit=500', headers: t.auth });
      assert.equal(res.statusCode, 200);
      const { events, nextAfter } = res.json() as { events: { id: number; type: string; messageId: string }[]; nextAfter: number };
      assert.ok(events.length >= 5);
      assert.deepEqual(events.map((e) => e.id), [...events.map((e) => e.id)].sort((a, b) => a - b));
      assert.ok(events.some((e) => e.type === 'message.failed'));
      assert.ok(events.some((e) => e.type === 'message.deferred'));
      assert.ok(events.some((e) => e.type === 'message.sent'));
      const rest = await t.app.inject({ method: 'GET', url: `/v1/events?after=${nextAfter}`, headers: t.auth });
      assert.deepEqual(rest.json().events, []);
      const onlyFailed = await t.app.inject({ method: 'GET', url: '/v1/events?type=message.failed', headers: t.auth });
      assert.ok(onlyFailed.json().events.every((e: { type: string }) => e.type === 'message.failed'));
    });
  });
}
