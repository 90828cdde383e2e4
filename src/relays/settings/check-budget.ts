// The abuse budget for checks: flight checks per organization and per person, over a sliding
// hour. A check opens real connections to a host an owner typed, so it must not become a
// scanner or a hammer. (Pacing of delivery is sending/relay-limiter.ts, not this.)
// Counted through the attempt budget, reserved before the check starts: in the database when
// several processes share it, so the limits hold across them.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { MemoryAttemptBudget, type AttemptBudget } from '../../store/attempt-budget.ts';

export interface CheckLimits {
  perOrganization: number;
  perUser: number;
  windowMs: number;
}

export const DEFAULT_CHECK_LIMITS: CheckLimits = { perOrganization: 10, perUser: 10, windowMs: 3600_000 };

export class CheckBudget {
  private readonly budget: AttemptBudget;

  /** Without a budget, counts in this process's memory (this budget's own count). */
  constructor(
    clock: Clock,
    private readonly limits: CheckLimits = DEFAULT_CHECK_LIMITS,
    budget?: AttemptBudget,
  ) {
    this.budget = budget ?? new MemoryAttemptBudget(clock);
  }

  /** Counts a check for these keys, or throws 429 `rate_limited` with the wait. */
  async take(organizationId: string, userId: string | undefined): Promise<void> {
    const limits = [{ key: `check:org:${organizationId}`, max: this.limits.perOrganization }];
    if (userId) limits.push({ key: `check:user:${userId}`, max: this.limits.perUser });
    const reservation = await this.budget.reserve({ attemptId: randomBytes(12).toString('base64url'), limits, windowMs: this.limits.windowMs });
    if (!reservation.ok) {
      const waitMs = reservation.retryAfterMs;
      const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
      throw new AppError(
        'rate_limited',
        `Too many checks: at most ${this.limits.perOrganization} an hour per organization and ${this.limits.perUser} per person. Try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`,
        { retryAfterSeconds: Math.ceil(waitMs / 1000) },
      );
    }
  }
}
