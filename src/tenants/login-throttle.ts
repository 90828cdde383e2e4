// Login rate limiting: failed sign-ins counted per email address and per client IP over a
// sliding window. Kept in memory: each process counts its own, which is exact for one
// process and at worst multiplies the allowance by the number of API processes.
import type { Clock } from '../clock.ts';
import type { AuthSettings } from './session.ts';

/** Beyond this many tracked keys, keys without recent failures are forgotten first. */
const MAX_KEYS = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: Pick<AuthSettings, 'loginMaxFailuresPerEmail' | 'loginMaxFailuresPerIp' | 'loginWindowMs'>,
  ) {}

  /** Milliseconds until another attempt is allowed; 0 when it is allowed now. */
  retryAfterMs(email: string, ip: string): number {
    return Math.max(this.wait(`email:${email}`, this.settings.loginMaxFailuresPerEmail), this.wait(`ip:${ip}`, this.settings.loginMaxFailuresPerIp));
  }

  recordFailure(email: string, ip: string): void {
    const now = this.clock.now();
    for (const key of [`email:${email}`, `ip:${ip}`]) this.failures.set(key, [...this.recent(key), now]);
    if (this.failures.size > MAX_KEYS) this.prune();
  }

  /** A successful sign-in clears the address's failures (not the IP's). */
  recordSuccess(email: string): void {
    this.failures.delete(`email:${email}`);
  }

  private recent(key: string): number[] {
    const since = this.clock.now() - this.settings.loginWindowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }

  private wait(key: string, max: number): number {
    const recent = this.recent(key);
    if (recent.length < max) return 0;
    // Allowed again once enough failures have left the window.
    const unblockingFailure = recent[recent.length - max] ?? this.clock.now();
    return Math.max(1, unblockingFailure + this.settings.loginWindowMs - this.clock.now());
  }

  private prune(): void {
    for (const key of this.failures.keys()) {
      if (this.recent(key).length === 0) this.failures.delete(key);
    }
    for (const key of this.failures.keys()) {
      if (this.failures.size <= MAX_KEYS) break;
      this.failures.delete(key);
    }
  }
}
