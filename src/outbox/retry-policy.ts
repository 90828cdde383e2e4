// When to try again after a temporary failure, and when to give up.

export interface RetryPolicy {
  /** Delays in seconds before attempt 2, 3, …; the last one repeats. */
  scheduleSeconds: readonly number[];
  /** A message older than this fails instead of being retried again. */
  maxAgeSeconds: number;
  /** Random spread applied to each delay (0.2 = ±20%) so retries don't arrive in waves. */
  jitter: number;
}

/** Suited to transactional mail: quick first retries, then spacing out, for up to a day. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  scheduleSeconds: [30, 60, 120, 300, 600, 1200, 1800, 3600],
  maxAgeSeconds: 24 * 3600,
  jitter: 0.2,
};

/**
 * The time of the next attempt after `attempts` tries, or undefined when the message is too
 * old to retry. A server's "try again in N seconds" hint is honoured when longer.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  args: { attempts: number; createdAt: number; now: number; hintSeconds?: number; random?: () => number },
): number | undefined {
  const index = Math.min(Math.max(args.attempts - 1, 0), policy.scheduleSeconds.length - 1);
  const base = policy.scheduleSeconds[index] ?? 60;
  const random = args.random ?? Math.random;
  const jittered = base * (1 + policy.jitter * (random() * 2 - 1));
  const delaySeconds = Math.max(jittered, args.hintSeconds ?? 0);
  const at = args.now + Math.round(delaySeconds * 1000);
  return at - args.createdAt > policy.maxAgeSeconds * 1000 ? undefined : at;
}
