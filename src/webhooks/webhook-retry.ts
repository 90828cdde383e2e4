// What an attempt's result means for its delivery: pure, tested by tables.
import type { PostResult } from './webhook.ts';

/** Waits before each retry, in seconds: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400] as const;
/** Each wait is moved by up to this share either way, so retries of many deliveries spread out. */
export const RETRY_JITTER = 0.2;
/** An endpoint with no success for this long is disabled (the platform is told). */
export const FAILING_DISABLE_MS = 5 * 24 * 3600 * 1000;
/** The longest Retry-After honoured. */
const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

export type AttemptVerdict =
  | { kind: 'delivered' }
  /** The endpoint answered 410 Gone: it is disabled, and its deliveries dropped. */
  | { kind: 'gone' }
  | { kind: 'retry'; at: number }
  /** Every retry used. */
  | { kind: 'failed' };

/**
 * `attempts` counts the attempt just made; `random` is in [0, 1) (Math.random in production,
 * fixed in tests).
 */
export function judgeAttempt(result: PostResult, attempts: number, now: number, random: () => number = Math.random): AttemptVerdict {
  if (result.kind === 'answer' && result.status >= 200 && result.status < 300) return { kind: 'delivered' };
  if (result.kind === 'answer' && result.status === 410) return { kind: 'gone' };
  const wait = RETRY_SCHEDULE_SECONDS[attempts - 1];
  if (wait === undefined) return { kind: 'failed' };
  if (result.kind === 'answer' && (result.status === 429 || result.status === 503)) {
    const asked = parseRetryAfter(result.retryAfter, now);
    if (asked !== undefined) return { kind: 'retry', at: now + Math.min(asked, MAX_RETRY_AFTER_SECONDS) * 1000 };
  }
  const jitter = 1 + RETRY_JITTER * (2 * random() - 1);
  return { kind: 'retry', at: now + Math.round(wait * 1000 * jitter) };
}

/** Retry-After as delay-seconds or an HTTP date; seconds from now, or undefined when unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Math.max(1, Number(text));
  const date = Date.parse(text);
  if (!/[a-z]/i.test(text) || Number.isNaN(date)) return undefined;
  return Math.max(1, Math.ceil((date - now) / 1000));
}
