// Per-relay limits with a fake clock and a real relay: Microsoft 365's 30 messages a minute
// hold over a minute window (45 messages → 30 in the first minute, 15 in the next), also with
// two dispatchers sharing the database; a daily quota defers mail and says so; owners override
// the preset's figures; a relay never gets more connections than its slots. Fixtures: relay
// 127.0.0.47:587, platform 127.0.0.48:2525.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../logger.ts';
import { fixedSecretKeys } from '../../secrets/key-source.ts';
import { KeyRing } from '../../secrets/key-ring.ts';
import { DEFAULT_RETRY_POLICY } from '../../outbox/retry-policy.ts';
import { dialects } from '../../../test/support/databases.ts';
import type { SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import { TEST_CA } from '../../../test/support/tls.ts';
import { createOutboxTestApp, useRelayAndPlatform, eventsOf, messageOf, organizationWithRelay, relayOf, submit, type OutboxTestApp } from '../../../test/support/relay-outbox.ts';

let relay: SmtpFixture;
let platform: SmtpFixture;

useRelayAndPlatform('127.0.0.47', '127.0.0.48', (started) => ({ relay, platform } = started));

for (const dialect of await dialects()) {
  describe(`relay limits (${dialect})`, () => {
    let t: OutboxTestApp;
    let n = 0;

    beforeEach(async () => {
      relay.messages.length = 0;
      t = await createOutboxTestApp(dialect, platform);
    });
    afterEach(async () => {
      await t.close();
    });

    const submitMany = async (orgId: string, count: number, extra: object = {}) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i += 1) ids.push((await submit(t, orgId, `Rappel ${dialect} #${++n}`, extra)).id);
      return ids;
    };
    const statuses = async (orgId: string, ids: string[]) => Promise.all(ids.map((id) => messageOf(t, orgId, id)));

    test('Microsoft 365: 45 messages → 30 in the first minute, the other 15 in the next window, no attempt counted for waiting', async () => {
      await organizationWithRelay(t, { id: 'm365', fixture: relay, relay: { preset: 'microsoft-365' } });
      const t0 = t.clock.now();
      const ids = await submitMany('m365', 45);
      await t.app.relais.dispatcher.runOnce();

      let records = await statuses('m365', ids);
      assert.equal(records.filter((m) => m.status === 'sent').length, 30);
      assert.equal(relay.messages.length, 30);
      const waiting = records.filter((m) => m.status !== 'sent');
      assert.equal(waiting.length, 15);
      for (const m of waiting) {
        assert.equal(m.attempts, 0, 'waiting for the window is not an attempt');
        assert.ok(m.status === 'queued' || (m.status === 'deferred' && m.lastErrorCode === 'relay_rate_limited'), JSON.stringify(m));
      }
      const usage = (await relayOf(t, 'm365')).usage;
      assert.equal(usage.messagesLastMinute, 30);
      assert.equal(usage.state, 'rate_limited');
      assert.equal(usage.resumesAt, new Date(t0 + 60_000).toISOString());
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /relais_messages_postponed_total\{reason="relay_rate_limited"\} [1-9]\d*/);
      assert.match(metrics, /relais_relays\{status="active"\} 1/);

      t.clock.advance(59_999);
      await t.app.relais.dispatcher.runOnce();
      assert.equal(relay.messages.length, 30, 'the window is a full minute');
      t.clock.advance(1);
      await t.app.relais.dispatcher.runOnce();
      records = await statuses('m365', ids);
      assert.equal(records.filter((m) => m.status === 'sent').length, 45);
      assert.equal(relay.messages.length, 45);
      const sentAt = records.map((m) => Date.parse(m.sentAt));
      assert.equal(sentAt.filter((at) => at === t0).length, 30);
      assert.equal(sentAt.filter((at) => at === t0 + 60_000).length, 15);
      assert.ok(records.every((m) => m.attempts === 1 && m.route === 'relay'));
      assert.equal((await relayOf(t, 'm365')).status, 'active', 'pacing is not a failure');
    });

    test('two dispatchers sharing the database keep to the same 30 a minute', async () => {
      await organizationWithRelay(t, { id: 'shared', fixture: relay, relay: { preset: 'microsoft-365' } });
      const second = await buildApp(t.config, {
        store: t.db.store,
        clock: t.clock,
        logger: createLogger('silent'),
        smtpCa: [TEST_CA],
        secretKeys: fixedSecretKeys(KeyRing.fromBase64(t.secretKey)),
        retryPolicy: { ...DEFAULT_RETRY_POLICY, jitter: 0 },
      });
      try {
        const t0 = t.clock.now();
        const ids = await submitMany('shared', 45);
        // Both dispatchers at once, second after second: a dispatcher that finds every slot
        // taken by the other leaves the messages for a second later.
        const bothFor = async (seconds: number) => {
          for (let i = 0; i < seconds; i += 1) {
            await Promise.all([t.app.relais.dispatcher.runOnce(), second.relais.dispatcher.runOnce()]);
            t.clock.advance(1000);
          }
        };
        await bothFor(60);
        let records = await statuses('shared', ids);
        assert.equal(records.filter((m) => m.status === 'sent').length, 30, 'the first minute holds 30, whichever dispatcher sent them');
        assert.equal(relay.messages.length, 30);
        await bothFor(60);
        records = await statuses('shared', ids);
        assert.equal(relay.messages.length, 45);
        const sentAt = records.map((m) => Date.parse(m.sentAt) - t0);
        for (let start = 0; start <= 120_000; start += 1000) {
          const inWindow = sentAt.filter((at) => at >= start && at < start + 60_000).length;
          assert.ok(inWindow <= 30, `${inWindow} messages in the minute starting at +${start / 1000}s`);
        }
      } finally {
        await second.close();
      }
    });

    test('a daily quota defers mail and says so: relay_daily_quota, an event, the relay usage; owners may override the preset', async () => {
      await organizationWithRelay(t, { id: 'gmail', fixture: relay, relay: { preset: 'gmail', host: relay.host, port: relay.port } });
      // The owner lowers Gmail's 500 recipients a day to 4 (and keeps every other figure).
      const current = await relayOf(t, 'gmail');
      assert.equal(current.effectiveLimits.recipientsPerDay, 500);
      const put = await t.app.inject({
        method: 'PUT',
        url: '/v1/organizations/gmail/smtp-relay',
        headers: t.auth,
        payload: {
          preset: 'gmail',
          host: current.host,
          port: current.port,
          security: current.security,
          username: current.username,
          fromEmail: current.fromEmail,
          fromName: current.fromName,
          fallbackPolicy: 'fallback',
          limits: { recipientsPerDay: 4, messagesPerHour: null },
        },
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.json().status, 'active', 'limits do not need a new verification');
      assert.deepEqual(put.json().limits, { messagesPerHour: null, recipientsPerDay: 4 });
      assert.equal(put.json().effectiveLimits.recipientsPerDay, 4);
      assert.equal(put.json().effectiveLimits.maxConnections, 2);

      const t0 = t.clock.now();
      const ids = await submitMany('gmail', 3, { cc: 'tuteur@example.org' });
      await t.app.relais.dispatcher.runOnce();
      const records = await statuses('gmail', ids);
      assert.equal(records.filter((m) => m.status === 'sent').length, 2, '2 messages × 2 recipients fill the day');
      const late = records.find((m) => m.status !== 'sent');
      assert.equal(late?.status, 'deferred');
      assert.equal(late?.lastErrorCode, 'relay_daily_quota');
      assert.equal(late?.nextAttemptAt, new Date(t0 + 24 * 3_600_000).toISOString());
      const [event] = (await eventsOf(t, 'gmail', 'message.deferred')).filter((e) => e.messageId === late?.id);
      assert.equal(event?.data.errorCode, 'relay_daily_quota');
      assert.equal(event?.data.attemptCounted, false);
      const usage = (await relayOf(t, 'gmail')).usage;
      assert.equal(usage.state, 'daily_quota');
      assert.equal(usage.recipientsLastDay, 4);

      t.clock.advance(24 * 3_600_000);
      await t.app.relais.dispatcher.runOnce();
      assert.equal((await messageOf(t, 'gmail', late?.id ?? '')).status, 'sent');
    });

    test('a relay never holds more connections than its slots, and waiting for a slot is not an attempt', async () => {
      // Two connections for the custom preset; the dispatcher has eight slots.
      await organizationWithRelay(t, { id: 'custom', fixture: relay, relay: { preset: 'custom' } });
      const connectionsBefore = relay.connections;
      const ids = await submitMany('custom', 12);
      await t.app.relais.dispatcher.runOnce();
      const records = await statuses('custom', ids);
      assert.ok(records.every((m) => m.status === 'sent' && m.attempts === 1), JSON.stringify(records.map((m) => [m.status, m.attempts])));
      assert.ok(relay.connections - connectionsBefore <= 2, `at most 2 connections, saw ${relay.connections - connectionsBefore}`);
    });
  });
}
