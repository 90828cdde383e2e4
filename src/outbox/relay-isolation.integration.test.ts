// Isolation, measured in real time: organization A's relay accepts TCP and never greets
// while organization B sends 200 messages through the platform sender. A's sends may hold at
// most its relay's slots (two of the dispatcher's eight), so B's accept → sent latency stays
// what it is without A. The figures are printed (`# …`); the assertion bound is generous so
// that a slow machine does not fail it. Fixtures: A's relay 127.0.0.50:587, platform
// 127.0.0.51:2525.
//
// Then two organizations whose relays answer EHLO one line per second (every idle timeout
// stays happy) beside a healthy organization sending 200 messages through its own relay and
// platform-route mail at the same time: the healthy relay and the platform route keep their
// slots, and nobody waits for the hostile relays' deadline. Fixtures: hostile relays
// 127.0.0.86–87:587, healthy relay 127.0.0.88:587, platform 127.0.0.89:2525.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../test/support/databases.ts';
import { createRelayTestApp, type RelayTestApp } from '../../test/support/relays.ts';
import { PLATFORM_CREDENTIALS, organizationWithRelay, startRelayAndPlatform } from '../../test/support/relay-outbox.ts';
import { startDripServer, type DripServer } from '../../test/support/drip-server.ts';
import type { SmtpFixture } from '../../test/support/smtp-fixture.ts';

const B_MESSAGES = 200;
const A_MESSAGES = 20;
/** A's relay gets this long to greet: longer than B's whole run, so A hangs throughout. */
const GREETING_TIMEOUT_SECONDS = 8;

let relayA: SmtpFixture;
let platform: SmtpFixture;
let hostile: DripServer[];
let healthyRelay: SmtpFixture;
let platform2: SmtpFixture;

before(async () => {
  ({ relay: relayA, platform } = await startRelayAndPlatform('127.0.0.50', '127.0.0.51', { connect: () => 'hang' }));
  hostile = await Promise.all(['127.0.0.86', '127.0.0.87'].map((host) => startDripServer({ host, port: 587, intervalMs: 1000 })));
  ({ relay: healthyRelay, platform: platform2 } = await startRelayAndPlatform('127.0.0.88', '127.0.0.89'));
});
after(async () => {
  await Promise.all([relayA, platform, ...hostile, healthyRelay, platform2].map((f) => f.close()));
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Queues `count` messages for the organization one after the other, as a platform would, and
 * returns their accept → sent latencies (ms), sorted, once `fixture` received them all.
 */
async function acceptAndMeasure(t: RelayTestApp, orgId: string, fixture: SmtpFixture, label: string, count: number): Promise<number[]> {
  const before = fixture.messages.length;
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { message } = await t.app.relais.accept.accept(orgId, { to: [{ address: `learner${i}@example.org` }], subject: `${label} ${i}`, text: 'x' });
    ids.push(message.id);
  }
  await fixture.waitForMessages(before + count, 60_000);
  // The fixture captures a message just before it answers 250: wait for the outcomes to be recorded.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = await t.db.store.db.selectFrom('messages').select(['created_at', 'sent_at', 'status']).where('id', 'in', ids).execute();
    if (rows.every((r) => r.status === 'sent')) return rows.map((r) => Number(r.sent_at) - Number(r.created_at)).sort((x, y) => x - y);
    assert.ok(Date.now() < deadline, `${label}: ${rows.filter((r) => r.status !== 'sent').length} messages not recorded as sent`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function summary(latencies: number[]): { p50: number; p95: number; max: number } {
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.at(-1) ?? 0 };
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

    const sendB = (label: string, count: number) => acceptAndMeasure(t, 'org-b', platform, label, count);

    test(`B's ${B_MESSAGES} messages are not delayed while A's relay hangs`, async () => {
      await sendB('warm-up', 10);
      const alone = await sendB('alone', B_MESSAGES);

      const connected = relayA.connections;
      for (let i = 0; i < A_MESSAGES; i += 1) {
        await t.app.relais.accept.accept('org-a', { to: [{ address: `a${i}@example.org` }], subject: `A ${i}`, text: 'x' });
      }
      // A's relay now holds connections that never get a greeting.
      // A holds one slot: a relay gets its second only once a send of it has finished.
      const deadline = Date.now() + 5000;
      while (relayA.connections < connected + 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(relayA.connections >= connected + 1, 'A holds a slot on a silent relay');

      const withA = await sendB('with A hanging', B_MESSAGES);
      const aSent = await t.db.store.db.selectFrom('messages').select('id').where('organization_id', '=', 'org-a').where('status', '=', 'sent').execute();
      assert.equal(aSent.length, 0, 'A was hanging the whole time');

      const figures = { alone: summary(alone), withA: summary(withA) };
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

  describe(`isolation from relays that trickle their replies (${dialect})`, () => {
    /** The hostile relays' deadline: longer than the whole run, so a healthy message that waited for a hostile slot would show it. */
    const DEADLINE_SECONDS = 20;
    const HEALTHY_MESSAGES = 200;
    const PLATFORM_MESSAGES = 20;
    let t: RelayTestApp;

    beforeEach(async () => {
      t = await createRelayTestApp({
        dialect,
        env: {
          RELAIS_LOG_LEVEL: 'silent',
          RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
          RELAIS_PLATFORM_SMTP_URL: `smtp://${PLATFORM_CREDENTIALS.username}:${PLATFORM_CREDENTIALS.password}@${platform2.host}:${platform2.port}?starttls=never`,
          RELAIS_RELAY_SEND_TIMEOUT_SECONDS: String(DEADLINE_SECONDS),
          RELAIS_SHUTDOWN_GRACE_SECONDS: '0',
        },
      });
      for (const [i, drip] of hostile.entries()) await organizationWithRelay(t, { id: `hostile-${i}`, fixture: drip, relay: { fallbackPolicy: 'hold' } });
      // Four connections: the healthy relay is not itself the bottleneck of 200 messages.
      await organizationWithRelay(t, { id: 'healthy', fixture: healthyRelay, relay: { limits: { maxConnections: 4 } } });
      const platformOrg = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: 'platform-only', name: 'P' } });
      assert.equal(platformOrg.statusCode, 201, platformOrg.body);
      t.app.relais.dispatcher.start();
    });
    afterEach(async () => {
      await t.close();
    });

    test(`a healthy organization's ${HEALTHY_MESSAGES} messages and platform-route mail keep their latency beside two relays that drip EHLO lines`, async () => {
      await acceptAndMeasure(t, 'healthy', healthyRelay, `warm-up ${dialect}`, 10);
      const alone = await acceptAndMeasure(t, 'healthy', healthyRelay, `alone ${dialect}`, HEALTHY_MESSAGES);

      const opened = hostile.map((d) => d.connections);
      for (const [i] of hostile.entries()) {
        for (let n = 0; n < 10; n += 1) await t.app.relais.accept.accept(`hostile-${i}`, { to: [{ address: `h${n}@example.org` }], subject: `hostile ${n}`, text: 'x' });
      }
      // Each hostile relay now holds a connection that trickles EHLO lines.
      const deadline = Date.now() + 5000;
      while (hostile.some((d, i) => d.connections <= (opened[i] ?? 0)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(hostile.every((d, i) => d.connections > (opened[i] ?? 0)), 'both hostile relays hold a slot');

      const [beside, platformRoute] = await Promise.all([
        acceptAndMeasure(t, 'healthy', healthyRelay, `beside hostile ${dialect}`, HEALTHY_MESSAGES),
        acceptAndMeasure(t, 'platform-only', platform2, `platform route ${dialect}`, PLATFORM_MESSAGES),
      ]);
      // (Relay alerts to their owners go through the platform sender.)
      const hostileSent = await t.db.store.db
        .selectFrom('messages')
        .select('id')
        .where('organization_id', 'like', 'hostile-%')
        .where('route', '=', 'relay')
        .where('status', '=', 'sent')
        .execute();
      assert.equal(hostileSent.length, 0, 'the hostile relays never completed a send');

      const figures = { alone: summary(alone), beside: summary(beside), platform: summary(platformRoute) };
      const ratio = (figures.beside.p95 / Math.max(1, figures.alone.p95)).toFixed(2);
      console.log(
        `# ${dialect}: healthy organization ${HEALTHY_MESSAGES} messages accept→sent alone p50 ${figures.alone.p50} ms, p95 ${figures.alone.p95} ms, max ${figures.alone.max} ms; ` +
          `beside two dripping relays p50 ${figures.beside.p50} ms, p95 ${figures.beside.p95} ms, max ${figures.beside.max} ms; p95 ratio ${ratio}; ` +
          `platform route ${PLATFORM_MESSAGES} messages p95 ${figures.platform.p95} ms, max ${figures.platform.max} ms`,
      );
      // Had the healthy organization or the platform route waited for a hostile slot, it would show the deadline.
      assert.ok(figures.beside.max < DEADLINE_SECONDS * 1000, `the healthy organization waited ${figures.beside.max} ms`);
      assert.ok(figures.platform.max < DEADLINE_SECONDS * 1000, `platform-route mail waited ${figures.platform.max} ms`);
      assert.ok(figures.beside.p95 <= figures.alone.p95 * 3 + 500, `the healthy p95 went from ${figures.alone.p95} to ${figures.beside.p95} ms`);
    });
  });
}
