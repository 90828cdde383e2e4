// Isolation, measured in real time: organization A's relay accepts TCP and never greets
// while organization B sends 200 messages through the platform sender. A's sends may hold at
// most its relay's slots (two of the dispatcher's eight), so B's accept → sent latency stays
// what it is without A. The figures are printed (`# …`); the assertion bound is generous so
// that a slow machine does not fail it. Fixtures: A's relay 127.0.0.50:587, platform
// 127.0.0.51:2525.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../test/support/databases.ts';
import { createRelayTestApp, type RelayTestApp } from '../../test/support/relays.ts';
import { PLATFORM_CREDENTIALS, organizationWithRelay, startRelayAndPlatform } from '../../test/support/relay-outbox.ts';
import type { SmtpFixture } from '../../test/support/smtp-fixture.ts';

const B_MESSAGES = 200;
const A_MESSAGES = 20;
/** A's relay gets this long to greet: longer than B's whole run, so A hangs throughout. */
const GREETING_TIMEOUT_SECONDS = 8;

let relayA: SmtpFixture;
let platform: SmtpFixture;

before(async () => {
  ({ relay: relayA, platform } = await startRelayAndPlatform('127.0.0.50', '127.0.0.51', { connect: () => 'hang' }));
});
after(async () => {
  await Promise.all([relayA.close(), platform.close()]);
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

for (const dialect of await dialects()) {
  describe(`isolation between organizations (${dialect})`, () => {
    let t: RelayTestApp;

    beforeEach(async () => {
      platform.messages.length = 0;
      t = await createRelayTestApp({
        dialect,
        env: {
          RELAIS_LOG_LEVEL: 'silent',
          RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
          RELAIS_PLATFORM_SMTP_URL: `smtp://${PLATFORM_CREDENTIALS.username}:${PLATFORM_CREDENTIALS.password}@${platform.host}:${platform.port}?starttls=never`,
          RELAIS_RELAY_GREETING_TIMEOUT_SECONDS: String(GREETING_TIMEOUT_SECONDS),
          RELAIS_SHUTDOWN_GRACE_SECONDS: '0',
        },
      });
      await organizationWithRelay(t, { id: 'org-a', fixture: relayA, relay: { fallbackPolicy: 'hold' } });
      const b = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: 'org-b', name: 'B' } });
      assert.equal(b.statusCode, 201, b.body);
      t.app.relais.dispatcher.start();
    });
    afterEach(async () => {
      await t.close();
    });

    /** Queues `count` messages for B one after the other, as a platform would, and returns B's accept → sent latencies (ms) once all arrived. */
    async function sendB(label: string, count: number): Promise<number[]> {
      const before = platform.messages.length;
      const ids: string[] = [];
      for (let i = 0; i < count; i += 1) {
        const { message } = await t.app.relais.accept.accept('org-b', { to: [{ address: `learner${i}@example.org` }], subject: `${label} ${i}`, text: 'x' });
        ids.push(message.id);
      }
      await platform.waitForMessages(before + count, 60_000);
      // The fixture captures a message just before it answers 250: wait for the outcomes to be recorded.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const rows = await t.db.store.db.selectFrom('messages').select(['created_at', 'sent_at', 'status']).where('id', 'in', ids).execute();
        if (rows.every((r) => r.status === 'sent')) return rows.map((r) => Number(r.sent_at) - Number(r.created_at)).sort((x, y) => x - y);
        assert.ok(Date.now() < deadline, `${label}: ${rows.filter((r) => r.status !== 'sent').length} messages not recorded as sent`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }

    test(`B's ${B_MESSAGES} messages are not delayed while A's relay hangs`, async () => {
      await sendB('warm-up', 10);
      const alone = await sendB('alone', B_MESSAGES);

      const connected = relayA.connections;
      for (let i = 0; i < A_MESSAGES; i += 1) {
        await t.app.relais.accept.accept('org-a', { to: [{ address: `a${i}@example.org` }], subject: `A ${i}`, text: 'x' });
      }
      // A's relay now holds connections that never get a greeting.
      const deadline = Date.now() + 5000;
      while (relayA.connections < connected + 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(relayA.connections >= connected + 2, 'A holds its two slots on a silent relay');

      const withA = await sendB('with A hanging', B_MESSAGES);
      const aSent = await t.db.store.db.selectFrom('messages').select('id').where('organization_id', '=', 'org-a').where('status', '=', 'sent').execute();
      assert.equal(aSent.length, 0, 'A was hanging the whole time');

      const figures = {
        alone: { p50: percentile(alone, 50), p95: percentile(alone, 95), max: alone.at(-1) ?? 0 },
        withA: { p50: percentile(withA, 50), p95: percentile(withA, 95), max: withA.at(-1) ?? 0 },
      };
      const ratio = (figures.withA.p95 / Math.max(1, figures.alone.p95)).toFixed(2);
      console.log(
        `# ${dialect}: B ${B_MESSAGES} messages accept→sent alone p50 ${figures.alone.p50} ms, p95 ${figures.alone.p95} ms, max ${figures.alone.max} ms; ` +
          `with A's relay hanging p50 ${figures.withA.p50} ms, p95 ${figures.withA.p95} ms, max ${figures.withA.max} ms; p95 ratio ${ratio}`,
      );
      // Had B waited behind A, its latency would include A's greeting timeout.
      assert.ok(figures.withA.max < GREETING_TIMEOUT_SECONDS * 1000, `B waited ${figures.withA.max} ms`);
      assert.ok(figures.withA.p95 <= figures.alone.p95 * 3 + 500, `B's p95 went from ${figures.alone.p95} to ${figures.withA.p95} ms`);
    });
  });
}
