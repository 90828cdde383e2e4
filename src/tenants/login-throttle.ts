// Login rate limiting: sign-in attempts per email address and per client IP over a sliding
// window. An attempt is reserved before its password is hashed and counts as a failure unless
// it succeeds, so however many arrive at once, at most the limit are ever evaluated. Counted
// through the attempt budget: in the database when several processes share it.
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors.ts';
import type { AttemptBudget } from '../store/attempt-budget.ts';
import type { AuthSettings } from './session.ts';

/** A reserved sign-in attempt: a failure unless `succeeded` is called. */
export interface SignInAttempt {
  /** Clears the address's failures and takes the attempt back from the IP. */
  succeeded(): Promise<void>;
}

/**
 * The key of a client address: IPv4 addresses one by one; IPv6 by /64, the block one
 * subscriber usually holds (counting single IPv6 addresses would let one machine rotate
 * through billions of them).
 */
export function clientKey(ip: string): string {
  if (!isIP(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

export class LoginThrottle {
  constructor(
    private readonly budget: AttemptBudget,
    private readonly settings: Pick<AuthSettings, 'loginMaxFailuresPerEmail' | 'loginMaxFailuresPerIp' | 'loginWindowMs'>,
  ) {}

  /** Reserves an attempt for this address from this IP, or throws 429 `rate_limited` with the wait. */
  async begin(email: string, ip: string): Promise<SignInAttempt> {
    const attemptId = randomBytes(12).toString('base64url');
    const emailKey = `sign-in:email:${email}`;
    const ipKey = `sign-in:ip:${clientKey(ip)}`;
    const reservation = await this.budget.reserve({
      attemptId,
      limits: [
        { key: emailKey, max: this.settings.loginMaxFailuresPerEmail },
        { key: ipKey, max: this.settings.loginMaxFailuresPerIp },
      ],
      windowMs: this.settings.loginWindowMs,
    });
    if (!reservation.ok) {
      const retryAfterSeconds = Math.ceil(reservation.retryAfterMs / 1000);
      throw new AppError('rate_limited', `Too many failed sign-ins. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
    }
    return {
      succeeded: async () => {
        await this.budget.clear(emailKey);
        await this.budget.release(attemptId, ipKey);
      },
    };
  }
}
