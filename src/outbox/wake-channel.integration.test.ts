// PostgreSQL: a dispatcher in another process (here: another pool) is woken by NOTIFY at
// once, instead of waiting for its idle poll.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { openStore, type Store } from '../store/store.ts';
import { createNodemailerTransport } from '../smtp/nodemailer-transport.ts';
import { OrganizationService } from '../tenants/organization.service.ts';
import { systemClock } from '../clock.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { AcceptService } from './accept.service.ts';
import { Dispatcher } from './dispatcher.ts';
import { DEFAULT_RETRY_POLICY } from './retry-policy.ts';
import { PlatformRouter } from './router.ts';
import { listenOutbox, notifyOutbox } from './wake-channel.ts';

const hasPostgres = (await dialects()).includes('postgres');

let db: TestDatabase;
let workerStore: Store;
let smtp: SmtpFixture;

before(async () => {
  if (!hasPostgres) return;
  db = await createTestDatabase('postgres');
  workerStore = openStore(db.target);
  smtp = await startSmtpFixture({ security: 'none' });
});
after(async () => {
  if (!hasPostgres) return;
  await workerStore.close();
  await db.drop();
  await smtp.close();
});

test('a worker on another connection delivers a message accepted elsewhere without waiting for its poll', { skip: hasPostgres ? false : 'PostgreSQL not available (required in CI)' }, async () => {
  const transport = createNodemailerTransport({ host: '127.0.0.1', port: smtp.port, security: 'none' });
  const worker = new Dispatcher({
    store: workerStore,
    clock: systemClock,
    router: new PlatformRouter({ address: 'hello@platform.example' }, transport),
    logger: createLogger('silent'),
    metrics: createMetrics(async () => ({})),
    retryPolicy: DEFAULT_RETRY_POLICY,
    leaseMs: 60_000,
    concurrency: 2,
    // Far longer than the test's patience: only a NOTIFY can get the message out in time.
    idlePollMs: 10 * 60_000,
  });
  const stop = await listenOutbox(workerStore, () => worker.wake(), createLogger('silent'));
  try {
    await new OrganizationService(db.store.db, systemClock).create({ id: 'acme', name: 'Acme' });
    // The worker looks at the empty queue and goes to sleep for its (ten-minute) idle poll.
    const idle = worker.whenIdle();
    worker.start();
    await idle;
    const accept = new AcceptService({ store: db.store, clock: systemClock, maxMessageBytes: 1 << 20, messageIdDomain: 'platform.example', onAccepted: () => void notifyOutbox(db.store) });
    const { message } = await accept.accept('acme', { to: [{ address: 'a@example.org' }], subject: 'wake', text: 'x' });
    const [mail] = await smtp.waitForMessages(1, 5000);
    assert.equal(mail?.parsed.messageId, message.messageId);
  } finally {
    await stop();
    await worker.stop(1000);
    await transport.close();
  }
});
