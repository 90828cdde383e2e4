import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { LoginThrottle } from './login-throttle.ts';

const settings = { loginMaxFailuresPerEmail: 5, loginMaxFailuresPerIp: 20, loginWindowMs: 15 * 60_000 };

test('5 failures for an address within 15 minutes block it until the oldest leaves the window', () => {
  const clock = new ManualClock();
  const throttle = new LoginThrottle(clock, settings);
  for (let i = 0; i < 5; i++) {
    assert.equal(throttle.retryAfterMs('a@x.test', '10.0.0.1'), 0);
    throttle.recordFailure('a@x.test', '10.0.0.1');
    clock.advance(60_000);
  }
  assert.equal(throttle.retryAfterMs('a@x.test', '10.0.0.2'), 10 * 60_000, 'another IP does not help');
  assert.equal(throttle.retryAfterMs('b@x.test', '10.0.0.1'), 0, 'another address from the same IP is fine');
  clock.advance(10 * 60_000);
  assert.equal(throttle.retryAfterMs('a@x.test', '10.0.0.1'), 0);
});

test('a success clears the address, not the IP', () => {
  const clock = new ManualClock();
  const throttle = new LoginThrottle(clock, settings);
  for (let i = 0; i < 20; i++) throttle.recordFailure(`u${i % 4}@x.test`, '10.0.0.9');
  assert.ok(throttle.retryAfterMs('new@x.test', '10.0.0.9') > 0);
  throttle.recordSuccess('u0@x.test');
  assert.ok(throttle.retryAfterMs('u0@x.test', '10.0.0.9') > 0);
  assert.equal(throttle.retryAfterMs('u0@x.test', '10.0.0.8'), 0);
});
