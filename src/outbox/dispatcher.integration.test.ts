// Leases, retries and shutdown of the dispatcher, with a fake clock and scripted SMTP replies.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { parsePlatformFrom } from '../relais.ts';
import { createNodemailerTransport } from '../smtp/nodemailer-transport.ts';
import type { SmtpTransport } from '../smtp/transport.ts';
import { OrganizationService } from '../tenants/organization.service.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { AcceptService } from './accept.service.ts';
import { Dispatcher } from './dispatcher.ts';
import { DEFAULT_RETRY_POLICY } from './retry-policy.ts';
import { PlatformRouter } from './router.ts';
import { claimMessages } from './sql/claim-messages.ts';
import { findMessage, listAttempts } from './sql/find-messages.ts';

for (const dialect of await dialects()) {
  describe(`dispatcher (${dialect})`, () => {
    let smtp: SmtpFixture;
    let transport: SmtpTransport;
    let db: TestDatabase;
    let clock: ManualClock;
    let accept: AcceptService;
    const from = parsePlatformFrom('Platform <hello@platform.example>');

    const dispatcher = (workerId: string) =>
      new Dispatcher({
        store: db.store,
        clock,
        router: new PlatformRouter(from, transport),
        logger: createLogger('silent'),
        metrics: createMetrics(async () => ({})),
        retryPolicy: { ...DEFAULT_RETRY_POLICY, jitter: 0 },
        leaseMs: 60_000,
        concurrency: 4,
        workerId,
      });

    const submit = async (subject: string) =>
      (await accept.accept('acme', { to: [{ address: 'lea@example.org' }], subject, text: 'x' })).message;

    before(async () => {
      smtp = await startSmtpFixture({ security: 'none' });
      transport = createNodemailerTransport({ host: '127.0.0.1', port: smtp.port, security: 'none' });
    });
    after(async () => {
      await transport.close();
      await smtp.close();
    });
    beforeEach(async () => {
      db = await createTestDatabase(dialect);
      clock = new ManualClock();
      await new OrganizationService(db.store.db, clock).create({ id: 'acme', name: 'Acme' });
      accept = new AcceptService({ store: db.store, clock, maxMessageBytes: 1 << 20, messageIdDomain: 'platform.example', onAccepted: () => {} });
      smtp.setScript({});
      smtp.messages.length = 0;
    });
    afterEach(() => db.drop());

    test('a message leased by a dispatcher that died is delivered by another once the lease expires', async () => {
      const message = await submit('lease');
      const stolen = await claimMessages(db.store.db, db.store.capabilities, { owner: 'dead', now: clock.now(), leaseUntil: clock.now() + 60_000, limit: 10 });
      assert.equal(stolen.length, 1);
      const survivor = dispatcher('survivor');
      assert.equal(await survivor.runOnce(), 0, 'a live lease is respected');
      clock.advance(60_001);
      assert.equal(await survivor.runOnce(), 1);
      const [mail] = await smtp.waitForMessages(1);
      assert.equal(mail?.parsed.messageId, message.messageId);
      const record = await findMessage(db.store.db, 'acme', message.id);
      assert.equal(record?.status, 'sent');
      assert.equal(record?.attempts, 2, 'the interrupted attempt counts');
    });

    test('a temporary refusal defers with backoff, then the next attempt delivers', async () => {
      smtp.setScript({ data: [{ code: 451, text: '4.3.0 Error: queue file write error' }] });
      const message = await submit('retry');
      const d = dispatcher('w1');
      await d.runOnce();
      let record = await findMessage(db.store.db, 'acme', message.id);
      assert.equal(record?.status, 'deferred');
      assert.equal(record?.lastReply, '451 4.3.0 Error: queue file write error');
      assert.equal(record?.nextAttemptAt, clock.now() + 30_000);
      assert.equal(await d.runOnce(), 0, 'not due before its time');
      clock.advance(30_000);
      assert.equal(await d.runOnce(), 1);
      record = await findMessage(db.store.db, 'acme', message.id);
      assert.equal(record?.status, 'sent');
      const attempts = await listAttempts(db.store.db, message.id);
      assert.deepEqual(attempts.map((a) => a.outcome), ['deferred', 'sent']);
      assert.equal(smtp.messages.length, 1);
    });

    test('a "try again in N seconds" hint is honoured', async () => {
      smtp.setScript({ data: [{ code: 421, text: '4.7.0 Try again in 600 seconds' }] });
      const message = await submit('hint');
      await dispatcher('w1').runOnce();
      const record = await findMessage(db.store.db, 'acme', message.id);
      assert.equal(record?.nextAttemptAt, clock.now() + 600_000);
    });

    test('a permanent refusal fails the message at once', async () => {
      smtp.setScript({ rcpt: () => ({ code: 550, text: '5.1.1 <lea@example.org>: Recipient address rejected: User unknown' }) });
      const message = await submit('permanent');
      await dispatcher('w1').runOnce();
      const record = await findMessage(db.store.db, 'acme', message.id);
      assert.equal(record?.status, 'failed');
      assert.match(record?.lastReply ?? '', /550 5\.1\.1/);
      assert.ok(record?.failedAt);
    });

    test('temporary failures past the maximum age fail the message', async () => {
      smtp.setScript({ data: () => ({ code: 451, text: '4.3.0 Try later' }) });
      const message = await submit('too-old');
      const d = dispatcher('w1');
      await d.runOnce();
      clock.advance(DEFAULT_RETRY_POLICY.maxAgeSeconds * 1000);
      await d.runOnce();
      const record = await findMessage(db.store.db, 'acme', message.id);
      assert.equal(record?.status, 'failed');
      assert.equal(record?.lastErrorCode, 'retries_exhausted');
    });

    test('shutdown returns a send that does not finish in the grace period to the queue', async () => {
      smtp.setScript({ data: ['hang'] });
      const message = await submit('shutdown');
      const d = dispatcher('w1');
      d.start();
      d.wake();
      await waitFor(() => smtp.sessions.some((s) => s.events.some((e) => e.command === 'DATA')));
      await d.stop(50);
      const record = await findMessage(db.store.db, 'acme', message.id);
      assert.equal(record?.status, 'queued');
      assert.equal(record?.attempts, 0);
    });
  });
}

/** Waits for an event the test caused, bounded; polls a cheap in-memory condition. */
async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
