// Outbox throughput, SQLite beside PostgreSQL in one run: accept N messages (each committed
// before it returns), then deliver them to a local SMTP server. Prints rates and ratios;
// machines here are noisy, so compare the ratios, not the absolute numbers.
// Run: npm run bench  (N from BENCH_MESSAGES, default 500)
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { systemClock } from '../src/clock.ts';
import { AcceptService } from '../src/outbox/accept.service.ts';
import { Dispatcher } from '../src/outbox/dispatcher.ts';
import { DEFAULT_RETRY_POLICY } from '../src/outbox/retry-policy.ts';
import { PlatformRouter } from '../src/outbox/router.ts';
import { createNodemailerTransport } from '../src/smtp/nodemailer-transport.ts';
import { OrganizationService } from '../src/tenants/organization.service.ts';
import { createTestDatabase, postgresAvailable, type Dialect } from '../test/support/databases.ts';
import { startSmtpFixture } from '../test/support/smtp-fixture.ts';

const N = Number(process.env.BENCH_MESSAGES ?? 500);

async function run(dialect: Dialect): Promise<{ acceptPerSecond: number; deliverPerSecond: number }> {
  const smtp = await startSmtpFixture({ security: 'none' });
  const db = await createTestDatabase(dialect);
  const transport = createNodemailerTransport({ host: '127.0.0.1', port: smtp.port, security: 'none', maxConnections: 4 });
  try {
    await new OrganizationService(db.store.db, systemClock).create({ id: 'bench', name: 'Bench' });
    const accept = new AcceptService({ store: db.store, clock: systemClock, maxMessageBytes: 1 << 20, messageIdDomain: 'bench.example', onAccepted: () => {} });
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      await accept.accept('bench', { to: [{ address: `learner${i}@example.org` }], subject: `Message ${i}`, text: 'Bonjour, merci de signer la feuille de présence.' });
    }
    const t1 = performance.now();
    const dispatcher = new Dispatcher({
      store: db.store,
      clock: systemClock,
      router: new PlatformRouter({ address: 'hello@bench.example' }, transport),
      logger: createLogger('silent'),
      metrics: createMetrics(async () => ({})),
      retryPolicy: DEFAULT_RETRY_POLICY,
      leaseMs: 60_000,
      concurrency: 8,
    });
    await dispatcher.runOnce();
    await smtp.waitForMessages(N, 120_000);
    const t2 = performance.now();
    return { acceptPerSecond: (N * 1000) / (t1 - t0), deliverPerSecond: (N * 1000) / (t2 - t1) };
  } finally {
    await transport.close();
    await db.drop();
    await smtp.close();
  }
}

const dialects: Dialect[] = (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
const results: Partial<Record<Dialect, { acceptPerSecond: number; deliverPerSecond: number }>> = {};
for (const d of dialects) results[d] = await run(d);
console.log(`outbox bench, ${N} messages`);
for (const [d, r] of Object.entries(results)) {
  console.log(`  ${d.padEnd(8)} accept ${r.acceptPerSecond.toFixed(0).padStart(6)} msg/s   deliver ${r.deliverPerSecond.toFixed(0).padStart(6)} msg/s`);
}
if (results.sqlite && results.postgres) {
  console.log(
    `  postgres/sqlite ratio: accept ${(results.postgres.acceptPerSecond / results.sqlite.acceptPerSecond).toFixed(2)}, deliver ${(results.postgres.deliverPerSecond / results.sqlite.deliverPerSecond).toFixed(2)}`,
  );
}
