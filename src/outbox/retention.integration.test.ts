// Retention on every dialect with a fake clock: content goes after its delay, the delivery log
// after its own, events and audit entries after theirs; queued and deferred mail is never
// touched; a pruned message cannot be re-sent; organizations may only shorten the limits;
// several pruners side by side prune each row once; delivery beside pruning loses nothing;
// final webhook deliveries go with their attempts after the events limit, pending ones stay.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ManualClock } from '../clock.ts';
import { createLogger } from '../logger.ts';
import fs from 'node:fs';
import { enableIncrementalVacuum } from '../store/reclaim-space.ts';
import { openStore } from '../store/store.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { dialects } from '../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';
import { recordEvent } from './outbox.ts';
import { RetentionPruner } from './retention-pruner.ts';

const DAY = 24 * 3600_000;

for (const dialect of await dialects()) {
  describe(`retention (${dialect})`, () => {
    let smtp: SmtpFixture;
    let receiver: WebhookReceiver;
    let t: TestApp;
    let clock: ManualClock;

    const send = async (org: string, payload: object) => {
      const res = await t.app.inject({ method: 'POST', url: `/v1/organizations/${org}/messages`, headers: t.auth, payload });
      assert.equal(res.statusCode, 202, res.body);
      return (res.json() as { id: string }).id;
    };
    const read = (org: string, id: string) => t.app.inject({ method: 'GET', url: `/v1/organizations/${org}/messages/${id}`, headers: t.auth });
    const payloadOf = async (id: string) =>
      (await t.app.relais.store.db.selectFrom('messages').select('payload').where('id', '=', id).executeTakeFirstOrThrow()).payload;
    const prune = () => t.app.relais.retentionPruner.runOnce();
    const prunedContent = async () => {
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      return Number(/relais_retention_pruned_total\{kind="content"\} (\d+)/.exec(metrics.body)?.[1] ?? 0);
    };

    before(async () => {
      smtp = await startSmtpFixture({ security: 'none' });
      receiver = await startWebhookReceiver();
      clock = new ManualClock();
      t = await createTestApp({
        dialect,
        env: { RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS: 'true' },
        deps: { clock },
      });
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
      await t.app.relais.organizations.create({ id: 'brief', name: 'Brief' });
    });
    after(async () => {
      await t.close();
      await smtp.close();
      await receiver.close();
    });
    beforeEach(async () => {
      smtp.setScript({});
      smtp.messages.length = 0;
      // Each test starts on an empty outbox, a year after the previous one.
      await prune();
      clock.advance(400 * DAY);
      await prune();
    });

    test('content after 7 days, the delivery log after 90, events after 30; queued and deferred mail untouched', async () => {
      smtp.setScript({
        rcpt: (to) =>
          to === 'gone@example.org' ? { code: 550, text: '5.1.1 <gone@example.org>: User unknown' } : to === 'busy@example.org' ? { code: 451, text: '4.2.0 try later' } : undefined,
      });
      const sent = await send('acme', { to: 'Léa Martin <lea@example.org>', subject: 'Feuille de présence', text: 'Bonjour Léa', attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', contentBase64: 'JVBERi0=' }] });
      const failed = await send('acme', { to: 'gone@example.org', subject: 'Perdu', text: 'x' });
      const deferred = await send('acme', { to: 'busy@example.org', subject: 'Plus tard', text: 'x' });
      await t.app.relais.dispatcher.runOnce();
      const queued = await send('acme', { to: 'later@example.org', subject: 'En attente', text: 'x', headers: { 'X-Session': 'S42' } });
      assert.equal((await read('acme', deferred)).json().status, 'deferred');

      clock.advance(6 * DAY);
      assert.equal((await prune()).content, 0, 'nothing is older than 7 days yet');
      assert.match(await payloadOf(sent), /Bonjour Léa/);

      clock.advance(2 * DAY);
      const report = await prune();
      assert.equal(report.content, 2, 'the sent and the failed message lose their content');
      assert.equal(report.log, 0);
      for (const id of [sent, failed]) assert.doesNotMatch(await payloadOf(id), /Bonjour|x"|pdf|Léa/);
      const shown = (await read('acme', sent)).json();
      assert.equal(shown.contentDeletedAt, new Date(clock.now()).toISOString(), 'the delivery log says when the content went');
      assert.equal(shown.subject, 'Feuille de présence', 'metadata stays');
      assert.deepEqual(shown.recipients.map((r: { address: string }) => r.address), ['lea@example.org']);
      assert.equal(shown.history.length, 1);
      assert.match(await payloadOf(queued), /X-Session/, 'a queued message keeps its content');
      assert.match(await payloadOf(deferred), /Plus tard/, 'a deferred message keeps its content');
      assert.equal((await read('acme', queued)).json().contentDeletedAt, null);

      const resend = await t.app.inject({ method: 'POST', url: `/v1/organizations/acme/messages/${failed}/resend`, headers: t.auth });
      assert.equal(resend.statusCode, 410, resend.body);
      assert.equal(resend.json().error.code, 'message_content_expired');
      assert.match(resend.json().error.message, /deleted on \d{4}-/);

      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /relais_retention_pruned_total\{kind="content"\} [1-9]/);

      const events = async () => Number((await t.app.relais.store.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('organization_id', '=', 'acme').executeTakeFirstOrThrow()).n);
      assert.ok((await events()) > 0);
      clock.advance(23 * DAY);
      assert.equal((await prune()).events > 0, true, 'events go after 30 days');
      assert.equal(await events(), 0);

      clock.advance(60 * DAY);
      assert.equal((await prune()).log, 2, 'after 90 days the sent and failed messages leave the delivery log');
      assert.equal((await read('acme', sent)).statusCode, 404);
      assert.equal((await read('acme', failed)).statusCode, 404);
      assert.equal((await read('acme', queued)).json().status, 'queued', 'queued mail is never pruned');
      assert.equal((await read('acme', deferred)).json().status, 'deferred', 'deferred mail is never pruned');
      assert.match(await payloadOf(queued), /X-Session/);
      // Deliver them so that the next test starts on an empty outbox.
      smtp.setScript({});
      clock.advance(DAY);
      await t.app.relais.dispatcher.runOnce();
    });

    test('an organization may shorten its limits, never lengthen them; the audit log keeps a year', async () => {
      const tooLong = await t.app.inject({ method: 'PUT', url: '/v1/organizations/brief/retention', headers: t.auth, payload: { contentDays: 8 } });
      assert.equal(tooLong.statusCode, 422, tooLong.body);
      assert.equal(tooLong.json().error.code, 'retention_too_long');
      const put = await t.app.inject({ method: 'PUT', url: '/v1/organizations/brief/retention', headers: t.auth, payload: { contentDays: 1, logDays: 2 } });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json().effective, { contentDays: 1, logDays: 2, eventsDays: 30, auditDays: 365 });
      const got = (await t.app.inject({ method: 'GET', url: '/v1/organizations/brief/retention', headers: t.auth })).json();
      assert.deepEqual(got.organization, { contentDays: 1, logDays: 2, eventsDays: null, auditDays: null });
      assert.deepEqual(got.operator, { contentDays: 7, logDays: 90, eventsDays: 30, auditDays: 365 });

      const short = await send('brief', { to: 'lea@example.org', subject: 'Court', text: 'x' });
      const long = await send('acme', { to: 'lea@example.org', subject: 'Long', text: 'x' });
      await t.app.relais.dispatcher.runOnce();
      clock.advance(DAY + 1);
      const report = await prune();
      assert.equal(report.content, 1);
      assert.notEqual((await read('brief', short)).json().contentDeletedAt, null, "brief's own 1 day applies");
      assert.equal((await read('acme', long)).json().contentDeletedAt, null, "acme keeps the operator's 7 days");
      clock.advance(DAY);
      assert.equal((await prune()).log, 1);
      assert.equal((await read('brief', short)).statusCode, 404, "brief's delivery log keeps 2 days");

      const audit = async () => (await t.app.inject({ method: 'GET', url: '/v1/organizations/brief/audit-log', headers: t.auth })).json().entries.length;
      assert.equal(await audit(), 1, 'the change of limits is in the audit log');
      clock.advance(362 * DAY);
      await prune();
      assert.equal(await audit(), 1);
      clock.advance(2 * DAY);
      assert.ok((await prune()).audit >= 1);
      assert.equal(await audit(), 0, 'audit entries go after a year');
      await t.app.inject({ method: 'PUT', url: '/v1/organizations/brief/retention', headers: t.auth, payload: {} });
    });

    test('several pruners side by side prune each row once; delivery beside pruning loses nothing', async () => {
      const OLD = 400;
      const NEW = 100;
      const { relais } = t.app;
      const accept = (prefix: string, i: number) => relais.accept.accept('acme', { to: [{ address: `${prefix}-${i}@example.org` }], subject: prefix, text: 'x' });
      // Alone: the time to deliver NEW messages (the housekeeping's own pruning pass has nothing to do).
      await relais.dispatcher.runOnce();
      let start = performance.now();
      for (let i = 0; i < NEW; i += 1) await accept('alone', i);
      await relais.dispatcher.runOnce();
      const aloneMs = performance.now() - start;
      assert.equal(smtp.messages.length, NEW);
      smtp.messages.length = 0;

      const old: string[] = [];
      for (let i = 0; i < OLD; i += 1) old.push((await accept('old', i)).message.id);
      await relais.store.db.updateTable('messages').set({ status: 'sent', sent_at: clock.now() - 8 * DAY }).where('id', 'in', old).execute();
      const fresh: string[] = [];
      for (let i = 0; i < NEW; i += 1) fresh.push((await accept('fresh', i)).message.id);
      const prunedBefore = await prunedContent();

      // Delivery in the background loop, beside two pruners (one on its own connection, as in another worker process).
      const other = openStore(t.db.target);
      const logger = createLogger('silent');
      const pruner = (store: typeof other) =>
        new RetentionPruner({ store, clock, logger, metrics: relais.metrics, limits: relais.retention.operator, batchSize: 25 });
      start = performance.now();
      relais.dispatcher.start();
      const [a, b] = await Promise.all([pruner(relais.store).runOnce(), pruner(other).runOnce(), smtp.waitForMessages(NEW, 120_000)]);
      const besideMs = performance.now() - start;
      await relais.dispatcher.stop(5000);
      await other.close();
      assert.equal(smtp.messages.length, NEW, 'every new message was delivered once');
      assert.equal(a.content + b.content, OLD, 'the two pruners removed each old content once between them');
      assert.equal((await prunedContent()) - prunedBefore, OLD, 'and the metric counted each once');
      const statuses = await relais.store.db.selectFrom('messages').select(['status', 'content_deleted_at']).where('id', 'in', fresh).execute();
      assert.ok(statuses.every((m) => m.status === 'sent' && m.content_deleted_at === null), 'fresh messages are sent and keep their content');
      const left = await relais.store.db.selectFrom('messages').select('id').where('id', 'in', old).where('content_deleted_at', 'is', null).execute();
      assert.equal(left.length, 0);
      console.log(
        `# retention bench (${dialect}): ${NEW} deliveries in ${aloneMs.toFixed(0)} ms alone, ${besideMs.toFixed(0)} ms beside two pruners removing the content of ${OLD} messages (${a.content} + ${b.content}, batches of 25)`,
      );
    });

    test('pruned content gives its space back (SQLite: incremental vacuum; PostgreSQL: autovacuum reuses it)', async () => {
      const { relais } = t.app;
      const big = Buffer.alloc(60_000, 7).toString('base64');
      const ids: string[] = [];
      for (let i = 0; i < 40; i += 1) {
        const { message } = await relais.accept.accept('acme', {
          to: [{ address: `big-${i}@example.org` }],
          subject: 'Big',
          text: 'x',
          attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', contentBase64: big }],
        });
        ids.push(message.id);
      }
      await relais.store.db.updateTable('messages').set({ status: 'sent', sent_at: clock.now() - 8 * DAY }).where('id', 'in', ids).execute();
      const sizeOf = () => (t.db.target.kind === 'sqlite' ? fs.statSync(t.db.target.file).size : 0);
      // The WAL is folded into the file so its size is comparable before and after.
      const checkpoint = async () => {
        if (t.db.target.kind === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(relais.store.db);
      };
      await checkpoint();
      const before = sizeOf();
      const report = await relais.retentionPruner.runOnce();
      assert.equal(report.content, 40);
      await checkpoint();
      if (dialect === 'sqlite') {
        assert.ok(report.reclaimedPages > 500, `${report.reclaimedPages} pages handed back`);
        assert.ok(sizeOf() < before - 2_000_000, `the file shrank from ${before} to ${sizeOf()} bytes`);
        assert.equal(await enableIncrementalVacuum(relais.store), false, 'a database Relais created is already incremental');
      } else {
        assert.equal(report.reclaimedPages, 0);
      }
    });

    test('final webhook deliveries go with their attempts after the events limit; pending and delivering ones stay', async () => {
      const { relais } = t.app;
      const db = relais.store.db;
      const created = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: t.auth, payload: { url: receiver.url } });
      assert.equal(created.statusCode, 201, created.body);
      const endpointId = (created.json() as { id: string }).id;
      const event = (messageId: string) =>
        db.transaction().execute((tx) => recordEvent(tx, { organizationId: 'acme', type: 'message.sent', messageId, data: { route: 'platform' }, at: clock.now() }));
      const deliveryOf = async (messageId: string) =>
        (await db.selectFrom('webhook_deliveries').select('id').where('payload', 'like', `%"${messageId}"%`).executeTakeFirstOrThrow()).id;
      const statusOf = async (id: string) => (await db.selectFrom('webhook_deliveries').select('status').where('id', '=', id).executeTakeFirst())?.status;
      const attemptsOf = async (ids: string[]) =>
        Number((await db.selectFrom('webhook_attempts').select((eb) => eb.fn.countAll().as('n')).where('delivery_id', 'in', ids).executeTakeFirstOrThrow()).n);
      const prunedWebhooks = async () => {
        const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
        return Number(/relais_retention_pruned_total\{kind="webhooks"\} (\d+)/.exec(metrics.body)?.[1] ?? 0);
      };

      // Two delivered (with their attempts), one failed, one dropped; one pending, one being delivered.
      receiver.script([], { status: 200 });
      await event('msg_delivered_1');
      await event('msg_delivered_2');
      await relais.webhookDispatcher.runOnce();
      await receiver.waitFor(2);
      const delivered = [await deliveryOf('msg_delivered_1'), await deliveryOf('msg_delivered_2')];
      for (const id of delivered) assert.equal(await statusOf(id), 'delivered');
      assert.equal(await attemptsOf(delivered), 2);
      await event('msg_failed');
      await event('msg_dropped');
      await event('msg_pending');
      await event('msg_delivering');
      const failed = await deliveryOf('msg_failed');
      const dropped = await deliveryOf('msg_dropped');
      const pending = await deliveryOf('msg_pending');
      const delivering = await deliveryOf('msg_delivering');
      await db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('id', '=', failed).execute();
      await db.updateTable('webhook_deliveries').set({ status: 'dropped' }).where('id', '=', dropped).execute();
      await db.updateTable('webhook_deliveries').set({ status: 'delivering', lease_owner: 'another-process', lease_expires_at: clock.now() + 400 * DAY }).where('id', '=', delivering).execute();
      // The pending one stays pending: its endpoint is paused, so no dispatcher pass sends it.
      await db.updateTable('webhook_endpoints').set({ enabled: 0 }).where('id', '=', endpointId).execute();
      const prunedBefore = await prunedWebhooks();

      clock.advance(29 * DAY);
      assert.equal((await prune()).webhooks, 0, 'nothing is older than 30 days yet');
      assert.equal(await statusOf(failed), 'failed');

      clock.advance(2 * DAY);
      const report = await prune();
      assert.equal(report.webhooks, 4, 'the delivered, failed and dropped deliveries go');
      for (const id of [...delivered, failed, dropped]) assert.equal(await statusOf(id), undefined, id);
      assert.equal(await attemptsOf(delivered), 0, 'with their attempts');
      assert.equal(await statusOf(pending), 'pending', 'a pending delivery is never pruned');
      assert.equal(await statusOf(delivering), 'delivering', 'nor one being delivered');
      assert.equal((await prunedWebhooks()) - prunedBefore, 4, 'the metric counts each delivery once');
      clock.advance(400 * DAY);
      assert.equal((await prune()).webhooks, 0, 'whatever their age');
      assert.equal(await statusOf(pending), 'pending');

      const removed = await t.app.inject({ method: 'DELETE', url: `/v1/webhook-endpoints/${endpointId}`, headers: t.auth });
      assert.equal(removed.statusCode, 204, removed.body);
    });
  });
}
