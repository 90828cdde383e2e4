// Delivery beside retention, SQLite and PostgreSQL in one run: N messages delivered to a local
// SMTP server on a database that also holds OLD final messages past their limits (half past the
// content limit, half past the delivery log's), once with nothing else running and once with a
// retention pass running beside the dispatcher. Prints both rates and the pass's figures.
// Run: node --import tsx bench/retention.bench.ts  (BENCH_MESSAGES, default 500; BENCH_OLD, default 20000)
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { systemClock } from '../src/clock.ts';
import { AcceptService } from '../src/outbox/accept.service.ts';
import { Dispatcher } from '../src/outbox/dispatcher.ts';
import { RetentionPruner } from '../src/outbox/retention-pruner.ts';
import { DEFAULT_RETRY_POLICY } from '../src/outbox/retry-policy.ts';
import { PlatformRouter } from '../src/outbox/router.ts';
import { createNodemailerTransport } from '../src/smtp/nodemailer-transport.ts';
import type { Store } from '../src/store/store.ts';
import { OrganizationService } from '../src/tenants/organization.service.ts';
import { createTestDatabase, postgresAvailable, type Dialect } from '../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../test/support/smtp-fixture.ts';

const N = Number(process.env.BENCH_MESSAGES ?? 500);
const OLD = Number(process.env.BENCH_OLD ?? 20_000);
const DAY = 24 * 3600_000;
const LIMITS = { contentDays: 7, logDays: 90, eventsDays: 30, auditDays: 365 };

/** OLD final messages written in bulk: half sent 8 days ago (content due), half 100 days ago (log due). */
async function seedOld(store: Store): Promise<void> {
  const payload = JSON.stringify({ to: [{ address: 'old@example.org' }], cc: [], bcc: [], subject: 'Old', text: 'x'.repeat(2000), headers: {}, attachments: [] });
  const now = Date.now();
  for (let i = 0; i < OLD; i += 500) {
    const rows = Array.from({ length: Math.min(500, OLD - i) }, (_, j) => {
      const sentAt = now - ((i + j) % 2 === 0 ? 8 : 100) * DAY;
      return {
        id: `msg_old_${String(i + j).padStart(8, '0')}`, organization_id: 'bench', status: 'sent', category: null, message_id_header: `<old.${i + j}@bench.example>`,
        payload, size_bytes: 2500, recipient_count: 1, idempotency_key: null, request_hash: null, attempts: 1, next_attempt_at: sentAt, lease_owner: null,
        lease_expires_at: null, route: 'platform', last_reply: '250 ok', last_error_code: null, created_at: sentAt, updated_at: sentAt, sent_at: sentAt,
        failed_at: null, resent_from: null, subject: 'Old', forced_route: null, source: 'api', priority_rank: 1,
      };
    });
    await store.db.insertInto('messages').values(rows).execute();
  }
}

async function deliver(store: Store, smtp: SmtpFixture, accept: AcceptService, label: string): Promise<number> {
  smtp.messages.length = 0;
  for (let i = 0; i < N; i++) await accept.accept('bench', { to: [{ address: `${label}${i}@example.org` }], subject: `Message ${i}`, text: 'Bonjour.' });
  const transport = createNodemailerTransport({ host: '127.0.0.1', port: smtp.port, security: 'none', maxConnections: 4 });
  const dispatcher = new Dispatcher({
    store, clock: systemClock, router: new PlatformRouter({ address: 'hello@bench.example' }, transport), logger: createLogger('silent'),
    metrics: createMetrics(async () => ({})), retryPolicy: DEFAULT_RETRY_POLICY, leaseMs: 60_000, concurrency: 8,
  });
  const t0 = performance.now();
  await dispatcher.runOnce();
  await smtp.waitForMessages(N, 300_000);
  const ms = performance.now() - t0;
  await transport.close();
  return (N * 1000) / ms;
}

async function run(dialect: Dialect) {
  const smtp = await startSmtpFixture({ security: 'none' });
  const db = await createTestDatabase(dialect);
  try {
    await new OrganizationService(db.store.db, systemClock).create({ id: 'bench', name: 'Bench' });
    const accept = new AcceptService({ store: db.store, clock: systemClock, maxMessageBytes: 1 << 20, messageIdDomain: 'bench.example', onAccepted: () => {} });
    await seedOld(db.store);
    const alone = await deliver(db.store, smtp, accept, 'alone');
    const pruner = new RetentionPruner({ store: db.store, clock: systemClock, logger: createLogger('silent'), metrics: createMetrics(async () => ({})), limits: LIMITS, maxBatchesPerPass: 1000 });
    const t0 = performance.now();
    const pass = pruner.runOnce().then((report) => ({ report, ms: performance.now() - t0 }));
    const beside = await deliver(db.store, smtp, accept, 'beside');
    const { report, ms } = await pass;
    return { alone, beside, report, ms };
  } finally {
    await db.drop();
    await smtp.close();
  }
}

const dialects: Dialect[] = (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
console.log(`retention bench: ${N} deliveries, ${OLD} old messages to prune`);
for (const d of dialects) {
  const r = await run(d);
  console.log(
    `  ${d.padEnd(8)} deliver ${r.alone.toFixed(0).padStart(5)} msg/s alone, ${r.beside.toFixed(0).padStart(5)} msg/s beside a pass that pruned content ${r.report.content}, log ${r.report.log} in ${(r.ms / 1000).toFixed(1)} s (${r.report.reclaimedPages} pages given back)`,
  );
}
