// Flight checks per organization and per person, over a sliding hour: a check opens real
// connections to a host an owner typed, so it must not become a scanner or a hammer.
// Kept in memory: each API process counts its own.
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';

export interface CheckLimits {
  perOrganization: number;
  perUser: number;
  windowMs: number;
}

export const DEFAULT_CHECK_LIMITS: CheckLimits = { perOrganization: 10, perUser: 10, windowMs: 3600_000 };

const MAX_KEYS = 10_000;

export class CheckLimiter {
  private readonly starts = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: CheckLimits = DEFAULT_CHECK_LIMITS,
  ) {}

  /** Counts a check for these keys, or throws 429 `rate_limited` with the wait. */
  take(organizationId: string, userId: string | undefined): void {
    const keys: [string, number][] = [[`org:${organizationId}`, this.limits.perOrganization]];
    if (userId) keys.push([`user:${userId}`, this.limits.perUser]);
    const now = this.clock.now();
    let waitMs = 0;
    for (const [key, max] of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= max) waitMs = Math.max(waitMs, (recent[recent.length - max] ?? now) + this.limits.windowMs - now);
    }
    if (waitMs > 0) {
      const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
      throw new AppError(
        'rate_limited',
        `Too many checks: at most ${this.limits.perOrganization} an hour per organization and ${this.limits.perUser} per person. Try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`,
        { retryAfterSeconds: Math.ceil(waitMs / 1000) },
      );
    }
    for (const [key] of keys) this.starts.set(key, [...this.recent(key, now), now]);
    if (this.starts.size > MAX_KEYS) {
      for (const key of this.starts.keys()) if (this.recent(key, now).length === 0) this.starts.delete(key);
    }
  }

  private recent(key: string, now: number): number[] {
    return (this.starts.get(key) ?? []).filter((t) => t > now - this.limits.windowMs);
  }
}
