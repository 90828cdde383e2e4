// The overall deadline of a relay transaction (RELAIS_RELAY_SEND_TIMEOUT_SECONDS, 1 s here),
// against relays that keep every idle timeout happy: one that answers EHLO one line per
// second, one that accepts TCP and never greets, one that stalls after DATA — and, for
// contrast, one that answers 535 to AUTH. Each attempt ends at the deadline (not at the
// 15 s greeting or 60 s socket timeouts), is classified, frees its slot and its connection,
// and counts against the relay. Probes get the same deadline, each on its own. The deadline
// runs on real time (1 s); the database clock is a ManualClock.
// Fixtures: 127.0.0.81–85 (drip :587, silent :587, stalling :587, refusing :587, platform :2525).
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../../test/support/databases.ts';
import { startDripServer, type DripServer } from '../../../test/support/drip-server.ts';
import { RELAY_CREDENTIALS, PLATFORM_CREDENTIALS, createOutboxTestApp, messageOf, organizationWithRelay, relayOf, submit, withSubject, type OutboxTestApp } from '../../../test/support/relay-outbox.ts';
import { startSmtpFixture, type SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import type { Relay } from '../relay.ts';

const DEADLINE_MS = 1000;
/** Room for the database work around a send on a loaded machine; far below the idle timeouts (15 s, 60 s). */
const SLACK_MS = 3000;

let drip: DripServer;
let silent: SmtpFixture;
let stalling: SmtpFixture;
let refusing: SmtpFixture;
let platform: SmtpFixture;

before(async () => {
  const relay = { port: 587, security: 'none' as const, auth: RELAY_CREDENTIALS };
  [drip, silent, stalling, refusing, platform] = await Promise.all([
    startDripServer({ host: '127.0.0.81', port: 587, intervalMs: 200 }),
    startSmtpFixture({ ...relay, host: '127.0.0.82', script: { connect: () => 'hang' } }),
    startSmtpFixture({ ...relay, host: '127.0.0.83', script: { data: () => 'hang' } }),
    startSmtpFixture({ ...relay, host: '127.0.0.84', script: { auth: () => ({ code: 535, text: '5.7.8 Authentication credentials invalid' }) } }),
    startSmtpFixture({ host: '127.0.0.85', port: 2525, security: 'none', auth: PLATFORM_CREDENTIALS }),
  ]);
});
after(async () => {
  await Promise.all([drip, silent, stalling, refusing, platform].map((f) => f.close()));
});

for (const dialect of await dialects()) {
  describe(`the overall deadline of a relay transaction (${dialect})`, () => {
    let t: OutboxTestApp;

    beforeEach(async () => {
      stalling.setScript({ data: () => 'hang' });
      t = await createOutboxTestApp(dialect, platform, { env: { RELAIS_RELAY_SEND_TIMEOUT_SECONDS: String(DEADLINE_MS / 1000), RELAIS_SHUTDOWN_GRACE_SECONDS: '0' } });
    });
    afterEach(async () => {
      await t.close();
    });

    async function deadlineExpiries(kind: 'delivery' | 'probe'): Promise<number> {
      const metric = await t.app.relais.metrics.relayDeadlineExpired.get();
      return metric.values.find((v) => v.labels.kind === kind)?.value ?? 0;
    }

    /** One message through the organization's relay, dispatched once; the real time the dispatch took. */
    async function sendOne(orgId: string, fixture: { host: string; port: number }, policy: 'hold' | 'fallback' = 'hold') {
      await organizationWithRelay(t, { id: orgId, fixture, relay: { fallbackPolicy: policy } });
      const { id, subject } = await submit(t, orgId, `Émargement ${orgId} ${dialect}`);
      const started = performance.now();
      await t.app.relais.dispatcher.runOnce();
      const elapsed = performance.now() - started;
      return { id, subject, elapsed, message: await messageOf(t, orgId, id), relay: await relayOf(t, orgId) };
    }

    const cases = [
      { name: 'answers EHLO one line at a time, forever', fixture: () => drip, errorCode: 'relay-timeout', classification: 'temporary', timedOut: true },
      { name: 'accepts TCP and never greets', fixture: () => silent, errorCode: 'relay-timeout', classification: 'temporary', timedOut: true },
      { name: 'greets, then stalls after DATA', fixture: () => stalling, errorCode: 'relay-timeout', classification: 'temporary', timedOut: true },
      { name: 'answers 535 to AUTH', fixture: () => refusing, errorCode: 'auth-failed', classification: 'relay-config', timedOut: false },
    ] as const;

    for (const c of cases) {
      test(`a relay that ${c.name}: the attempt ends ${c.timedOut ? 'at the deadline' : 'at once'} as ${c.errorCode}, its slot is free, the relay counts one failure`, async () => {
        const { elapsed, message, relay } = await sendOne('cfa', c.fixture());
        if (c.timedOut) assert.ok(elapsed >= DEADLINE_MS - 50 && elapsed < DEADLINE_MS + SLACK_MS, `the attempt took ${Math.round(elapsed)} ms`);
        else assert.ok(elapsed < DEADLINE_MS, `the attempt took ${Math.round(elapsed)} ms`);
        assert.deepEqual(
          { status: message.status, route: message.route, lastErrorCode: message.lastErrorCode, classification: message.history[0]?.classification },
          { status: 'deferred', route: 'relay', lastErrorCode: c.errorCode, classification: c.classification },
        );
        if (c.timedOut) assert.match(message.history[0]?.explanation?.title ?? '', /trop lent/);
        // The slot, in the database and in this process, and the relay's health.
        assert.equal(relay.usage.inFlight, 0);
        assert.ok(!t.app.relais.relayLimiter.excludedOrganizations(t.clock.now()).includes('cfa'));
        assert.deepEqual({ status: relay.status, errorCode: relay.failure?.errorCode, failures: relay.failure?.consecutiveFailures }, { status: 'active', errorCode: c.errorCode, failures: 1 });
        assert.equal(await deadlineExpiries('delivery'), c.timedOut ? 1 : 0);
        const durations = await t.app.relais.metrics.relaySendDuration.get();
        const observed = durations.values.find((v) => v.metricName === 'relais_relay_send_duration_seconds_count' && v.labels.outcome === (c.timedOut ? 'timeout' : 'deferred'));
        assert.equal(observed?.value, 1, 'the relay send time is measured by outcome');
      });
    }

    test('the connection given up on is destroyed at once', async () => {
      await sendOne('cfa', drip);
      await drip.waitForOpen(0, 500);
    });

    test('the pool keeps no dead connection: once the relay answers again, the retry goes through it', async () => {
      const first = await sendOne('cfa', stalling);
      assert.equal(first.message.lastErrorCode, 'relay-timeout');
      stalling.setScript({});
      t.clock.advance(31_000);
      await t.app.relais.dispatcher.runOnce();
      assert.equal((await messageOf(t, 'cfa', first.id)).status, 'sent');
      assert.equal(withSubject(stalling, first.subject).length, 1);
    });

    test('with fallback, a message past its relay’s deadline leaves through the platform sender in the same dispatch', async () => {
      const { subject, elapsed, message } = await sendOne('cfa', drip, 'fallback');
      assert.ok(elapsed < DEADLINE_MS + SLACK_MS, `took ${Math.round(elapsed)} ms`);
      assert.deepEqual(
        { status: message.status, route: message.route, history: message.history.map((a: { route: string; errorCode: string | null }) => [a.route, a.errorCode]) },
        { status: 'sent', route: 'fallback', history: [['relay', 'relay-timeout'], ['fallback', null]] },
      );
      assert.equal(withSubject(platform, subject).length, 1);
    });

    test('probes: each has its own deadline; a hanging relay’s probe does not delay another relay’s recovery', async () => {
      const now = t.clock.now();
      const failing = (): Partial<Relay> => ({
        status: 'failing',
        health: { consecutiveFailures: 3, lastFailure: { errorCode: 'greeting-timeout', reply: null, at: now }, failingSince: now, nextProbeAt: now, probeAttempts: 0 },
      });
      await organizationWithRelay(t, { id: 'hangs', fixture: drip, relay: failing() });
      // The silent fixture greets again for this test: that relay's probe passes.
      await organizationWithRelay(t, { id: 'fixed', fixture: silent, relay: failing() });
      silent.setScript({});
      try {
        const started = performance.now();
        await t.app.relais.relayHealth.tick();
        assert.ok(performance.now() - started < DEADLINE_MS / 2, 'tick() does not wait for the probes');
        let fixed = await relayOf(t, 'fixed');
        while (fixed.status !== 'active' && performance.now() - started < DEADLINE_MS) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          fixed = await relayOf(t, 'fixed');
        }
        const recoveredAfter = performance.now() - started;
        assert.equal(fixed.status, 'active', JSON.stringify(fixed.failure));
        assert.ok(recoveredAfter < DEADLINE_MS, `recovered after ${Math.round(recoveredAfter)} ms, before the hanging probe's deadline`);
        assert.equal(drip.open, 1, 'the hanging probe is still under way');
        await t.app.relais.relayHealth.settled();
        const hangs = await relayOf(t, 'hangs');
        assert.deepEqual({ status: hangs.status, errorCode: hangs.failure?.errorCode }, { status: 'failing', errorCode: 'relay-timeout' });
        assert.equal(await deadlineExpiries('probe'), 1);
        await drip.waitForOpen(0, 500);
      } finally {
        silent.setScript({ connect: () => 'hang' });
      }
    });
  });
}
