import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { MAX_TRACKED_KEYS, MemoryAttemptBudget } from '../store/attempt-budget.ts';
import { clientKey, LoginThrottle } from './login-throttle.ts';

const settings = { loginMaxFailuresPerEmail: 5, loginMaxFailuresPerIp: 20, loginWindowMs: 15 * 60_000 };

/** The wait in seconds when the attempt is refused, 0 when it is let through (and then left as a failure). */
async function waitOf(throttle: LoginThrottle, email: string, ip: string): Promise<number> {
  try {
    await throttle.begin(email, ip);
    return 0;
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'rate_limited') throw error;
    return (error.details as { retryAfterSeconds: number }).retryAfterSeconds;
  }
}

test('5 attempts for an address within 15 minutes block it until the oldest leaves the window', async () => {
  const clock = new ManualClock();
  const throttle = new LoginThrottle(new MemoryAttemptBudget(clock), settings);
  for (let i = 0; i < 5; i++) {
    assert.equal(await waitOf(throttle, 'a@x.test', '10.0.0.1'), 0);
    clock.advance(60_000);
  }
  assert.equal(await waitOf(throttle, 'a@x.test', '10.0.0.2'), 10 * 60, 'another IP does not help');
  assert.equal(await waitOf(throttle, 'b@x.test', '10.0.0.1'), 0, 'another address from the same IP is fine');
  clock.advance(10 * 60_000);
  assert.equal(await waitOf(throttle, 'a@x.test', '10.0.0.1'), 0);
});

test('a success clears the address, not the IP, and is no failure for the IP', async () => {
  const clock = new ManualClock();
  const throttle = new LoginThrottle(new MemoryAttemptBudget(clock), settings);
  for (let i = 0; i < 4; i++) assert.equal(await waitOf(throttle, 'u0@x.test', '10.0.0.9'), 0);
  const good = await throttle.begin('u0@x.test', '10.0.0.9');
  await good.succeeded();
  for (let i = 0; i < 5; i++) assert.equal(await waitOf(throttle, 'u0@x.test', '10.0.0.8'), 0, 'the address starts afresh');
  // 4 failures from 10.0.0.9 count; the success does not: 16 more attempts are let through, not 15.
  for (let i = 0; i < 16; i++) assert.equal(await waitOf(throttle, `u${i + 1}@x.test`, '10.0.0.9'), 0);
  assert.ok((await waitOf(throttle, 'new@x.test', '10.0.0.9')) > 0);
});

test('spraying more addresses than memory holds never resets a blocked address', async () => {
  const clock = new ManualClock();
  const budget = new MemoryAttemptBudget(clock);
  const throttle = new LoginThrottle(budget, settings);
  for (let i = 0; i < 5; i++) await waitOf(throttle, 'victim@x.test', '198.51.100.1');
  const blockedFor = await waitOf(throttle, 'victim@x.test', '198.51.100.2');
  assert.equal(blockedFor, 15 * 60);
  // 20 addresses from each of enough IPs to fill the table past its cap.
  let refused = 0;
  for (let n = 0; n < MAX_TRACKED_KEYS * 1.2; n++) {
    const ip = Math.floor(n / 20);
    if ((await waitOf(throttle, `spray-${n}@x.test`, `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`)) > 0) refused++;
  }
  assert.ok(refused > 0, 'once memory is full of live keys, new ones wait');
  assert.ok(budget.trackedKeys <= MAX_TRACKED_KEYS);
  clock.advance(60_000);
  assert.equal(await waitOf(throttle, 'victim@x.test', '198.51.100.3'), 14 * 60, 'the victim is still blocked');
  clock.advance(14 * 60_000);
  assert.equal(await waitOf(throttle, 'victim@x.test', '198.51.100.3'), 0, 'expired keys make room again');
});

test('IPv6 clients are counted by /64; IPv4, also mapped into IPv6, by address', () => {
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
  assert.notEqual(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
  assert.equal(clientKey('::ffff:203.0.113.9'), '203.0.113.9');
  assert.equal(clientKey('203.0.113.9'), '203.0.113.9');
});
