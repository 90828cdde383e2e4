import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeAttempt, parseRetryAfter, RETRY_SCHEDULE_SECONDS } from './webhook-retry.ts';
import type { PostResult } from './webhook.ts';

const NOW = Date.UTC(2026, 10, 28, 9, 0, 0);
const answer = (status: number, retryAfter: string | null = null): PostResult => ({ kind: 'answer', status, retryAfter, body: '', durationMs: 1 });
const mid = () => 0.5;

test('the verdict of each kind of answer', () => {
  const cases: [PostResult, number, ReturnType<typeof judgeAttempt>][] = [
    [answer(200), 1, { kind: 'delivered' }],
    [answer(204), 3, { kind: 'delivered' }],
    [answer(410), 1, { kind: 'gone' }],
    [answer(500), 1, { kind: 'retry', at: NOW + 5000 }],
    [answer(301), 1, { kind: 'retry', at: NOW + 5000 }],
    [answer(404), 2, { kind: 'retry', at: NOW + 300_000 }],
    [{ kind: 'no-answer', errorCode: 'timeout', durationMs: 15_000 }, 3, { kind: 'retry', at: NOW + 1_800_000 }],
    [answer(429, '120'), 1, { kind: 'retry', at: NOW + 120_000 }],
    [answer(503, new Date(NOW + 60_000).toUTCString()), 1, { kind: 'retry', at: NOW + 60_000 }],
    [answer(503, 'soon'), 1, { kind: 'retry', at: NOW + 5000 }],
    [answer(429, '999999999'), 1, { kind: 'retry', at: NOW + 86_400_000 }],
    [answer(500), RETRY_SCHEDULE_SECONDS.length, { kind: 'retry', at: NOW + 86_400_000 }],
    [answer(500), RETRY_SCHEDULE_SECONDS.length + 1, { kind: 'failed' }],
    [answer(429, '60'), RETRY_SCHEDULE_SECONDS.length + 1, { kind: 'failed' }],
  ];
  for (const [result, attempts, expected] of cases) assert.deepEqual(judgeAttempt(result, attempts, NOW, mid), expected, JSON.stringify({ result, attempts }));
});

test('jitter moves a retry by at most a fifth of its wait, both ways', () => {
  const early = judgeAttempt(answer(500), 2, NOW, () => 0);
  const late = judgeAttempt(answer(500), 2, NOW, () => 0.999999);
  assert.deepEqual(early, { kind: 'retry', at: NOW + 240_000 });
  assert.ok(late.kind === 'retry' && late.at <= NOW + 360_000 && late.at > NOW + 359_000);
});

test('Retry-After in seconds or as an HTTP date', () => {
  assert.equal(parseRetryAfter('30', NOW), 30);
  assert.equal(parseRetryAfter('0', NOW), 1);
  assert.equal(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW), 90);
  assert.equal(parseRetryAfter('12.5', NOW), undefined);
  assert.equal(parseRetryAfter(null, NOW), undefined);
});
