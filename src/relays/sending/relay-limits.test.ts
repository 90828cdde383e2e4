import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLimits, countingHorizon, DAY_MS, effectiveLimits, MINUTE_MS, relayShare, sendingSlots, slowShare, type RelayUsage } from './relay-limits.ts';

const idle: RelayUsage = {
  inFlight: 0,
  messages: { messagesPerSecond: 0, messagesPerMinute: 0, messagesPerHour: 0, messagesPerDay: 0 },
  recipientsPerDay: 0,
};

describe('relay limits', () => {
  test("the preset's figures, with the owner's overrides (a number replaces, null removes the cap)", () => {
    assert.deepEqual(effectiveLimits({ preset: 'microsoft-365', limits: null }), {
      messagesPerSecond: null,
      messagesPerMinute: 30,
      messagesPerHour: null,
      messagesPerDay: null,
      recipientsPerDay: 10_000,
      maxConnections: 3,
    });
    const overridden = effectiveLimits({ preset: 'google-workspace', limits: { messagesPerDay: null, recipientsPerDay: 9000, maxConnections: 4 } });
    assert.equal(overridden.messagesPerDay, null);
    assert.equal(overridden.recipientsPerDay, 9000);
    assert.equal(overridden.maxConnections, 4);
    assert.equal(effectiveLimits({ preset: 'custom', limits: null }).maxConnections, 2);
  });

  test('relays together leave a quarter of the slots to the platform route; slow relays hold half the relay share', () => {
    const shares = [1, 2, 4, 8, 16, 32].map((n) => [n, relayShare(n), slowShare(n)]);
    assert.deepEqual(shares, [
      [1, 1, 1],
      [2, 1, 1],
      [4, 3, 1],
      [8, 6, 3],
      [16, 12, 6],
      [32, 24, 12],
    ]);
  });

  test('a relay holds at most half of the dispatcher’s slots, and at least one', () => {
    assert.equal(sendingSlots({ maxConnections: 5 }, 8), 4);
    assert.equal(sendingSlots({ maxConnections: 3 }, 8), 3);
    assert.equal(sendingSlots({ maxConnections: 5 }, 1), 1);
  });

  test('one more send fits, or the windows it would exceed are named with how many must leave them', () => {
    const m365 = effectiveLimits({ preset: 'microsoft-365', limits: null });
    assert.deepEqual(checkLimits(m365, 3, { ...idle, messages: { ...idle.messages, messagesPerMinute: 29 } }, 1), { ok: true });
    const full = checkLimits(m365, 3, { ...idle, messages: { ...idle.messages, messagesPerMinute: 30 } }, 1);
    assert.equal(full.ok, false);
    assert.ok(!full.ok && full.reason === 'window' && full.bindings[0]?.kind === 'messages' && full.bindings[0].excess === 1);
    assert.deepEqual(checkLimits(m365, 3, { ...idle, inFlight: 3 }, 1), { ok: false, reason: 'busy' });
    const daily = checkLimits(m365, 3, { ...idle, recipientsPerDay: 9_990 }, 20);
    assert.ok(!daily.ok && daily.reason === 'window' && daily.bindings[0]?.kind === 'recipients' && daily.bindings[0].excess === 10);
  });

  test('a message larger than a whole day of recipients still leaves on an empty day', () => {
    const tiny = effectiveLimits({ preset: 'custom', limits: { recipientsPerDay: 5 } });
    assert.deepEqual(checkLimits(tiny, 2, idle, 8), { ok: true });
  });

  test('usage is counted as far back as the longest limit needs', () => {
    assert.equal(countingHorizon(effectiveLimits({ preset: 'custom', limits: null }), MINUTE_MS), MINUTE_MS);
    assert.equal(countingHorizon(effectiveLimits({ preset: 'gmail', limits: null }), MINUTE_MS), DAY_MS);
  });
});
