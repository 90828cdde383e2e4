// Attempt budgets: at most `max` attempts per key (a sign-in address, a client IP, an
// organization's flight checks…) within a sliding window. An attempt is reserved *before* the
// work it limits (a password hash, a check), atomically for all its keys, so that however many
// arrive at once no more than the limit are ever let through.
//
// Two implementations, chosen by the backend's capabilities: in the database when several
// processes share it (PostgreSQL), so that the limits hold across them; in memory for the
// one-process embedded backend (SQLite).
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { deleteAttempts, deleteExpiredAttempts, lockAttemptKey, readAttempts, writeAttempts, type CountedAttempt } from './attempt-counts.repository.ts';
import type { Db, Store } from './store.ts';

export interface AttemptLimit {
  key: string;
  max: number;
}

export interface AttemptRequest {
  /** Unique per attempt, to take it back later (`release`). */
  attemptId: string;
  /** Every key the attempt counts against; it is let through only if all have room. */
  limits: readonly AttemptLimit[];
  windowMs: number;
}

export type Reservation = { ok: true } | { ok: false; retryAfterMs: number };

export interface AttemptBudget {
  /** Counts the attempt against every key, or none of them and says how long until all have room. */
  reserve(request: AttemptRequest): Promise<Reservation>;
  /** Takes the attempt back from `key` (e.g. a successful sign-in is no failure for its IP). */
  release(attemptId: string, key: string): Promise<void>;
  /** Forgets every attempt counted against `key`. */
  clear(key: string): Promise<void>;
}

/** Keys are stored hashed: no address is kept as typed, and every key has the same size. */
function keyId(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

function inWindow(attempts: readonly CountedAttempt[], now: number, windowMs: number): CountedAttempt[] {
  return attempts.filter(([at]) => at > now - windowMs);
}

/** Milliseconds until one more attempt fits among `attempts` (0: now): when the max-th newest leaves the window. */
export function waitForRoom(attempts: readonly CountedAttempt[], max: number, now: number, windowMs: number): number {
  const recent = inWindow(attempts, now, windowMs).sort((a, b) => a[0] - b[0]);
  if (recent.length < max) return 0;
  const unblocking = recent[recent.length - max]?.[0] ?? now;
  return Math.max(1, unblocking + windowMs - now);
}

/** Distinct limits in one global order (the database locks their rows in that order: no deadlock). */
function ordered(limits: readonly AttemptLimit[]): { id: string; max: number }[] {
  const byId = new Map<string, number>();
  for (const { key, max } of limits) {
    const id = keyId(key);
    byId.set(id, Math.min(max, byId.get(id) ?? max));
  }
  return [...byId].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, max]) => ({ id, max }));
}

/** At most this many keys are tracked in memory (a few hundred bytes each). */
export const MAX_TRACKED_KEYS = 50_000;

/**
 * One process's budget. Memory is bounded without ever forgetting a key that still has
 * attempts in its window (forgetting one would give an attacker a fresh allowance for it):
 * when every tracked key is live, an attempt on a new key is refused until one expires.
 */
export class MemoryAttemptBudget implements AttemptBudget {
  private readonly counts = new Map<string, { attempts: CountedAttempt[]; expiresAt: number }>();
  /** No tracked key expires before this (a lower bound): pruning before it would find nothing. */
  private earliestExpiry = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = MAX_TRACKED_KEYS,
  ) {}

  get trackedKeys(): number {
    return this.counts.size;
  }

  async reserve({ attemptId, limits, windowMs }: AttemptRequest): Promise<Reservation> {
    const now = this.clock.now();
    const keys = ordered(limits);
    let wait = 0;
    for (const { id, max } of keys) wait = Math.max(wait, waitForRoom(this.counts.get(id)?.attempts ?? [], max, now, windowMs));
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    const untracked = keys.filter(({ id }) => !this.counts.has(id)).length;
    if (this.counts.size + untracked > this.maxKeys) {
      this.prune(now);
      if (this.counts.size + untracked > this.maxKeys) return { ok: false, retryAfterMs: Math.max(1, this.earliestExpiry - now) };
    }
    for (const { id } of keys) {
      const attempts = [...inWindow(this.counts.get(id)?.attempts ?? [], now, windowMs), [now, attemptId] as const];
      this.counts.set(id, { attempts, expiresAt: now + windowMs });
      this.earliestExpiry = Math.min(this.earliestExpiry, now + windowMs);
    }
    return { ok: true };
  }

  async release(attemptId: string, key: string): Promise<void> {
    const id = keyId(key);
    const entry = this.counts.get(id);
    if (!entry) return;
    const attempts = entry.attempts.filter(([, attempt]) => attempt !== attemptId);
    if (attempts.length === 0) this.counts.delete(id);
    else this.counts.set(id, { ...entry, attempts });
  }

  async clear(key: string): Promise<void> {
    this.counts.delete(keyId(key));
  }

  /** Forgets keys whose attempts have all left their window. */
  private prune(now: number): void {
    if (now < this.earliestExpiry) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const [id, { expiresAt }] of this.counts) {
      if (expiresAt <= now) this.counts.delete(id);
      else earliest = Math.min(earliest, expiresAt);
    }
    this.earliestExpiry = earliest;
  }
}

/** Expired keys are deleted at most this often per process, on a reservation. */
const PURGE_INTERVAL_MS = 10 * 60_000;

/** A budget every process sharing the database counts in: one transaction per reservation, under the keys' row locks. */
export class DatabaseAttemptBudget implements AttemptBudget {
  private lastPurge = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async reserve({ attemptId, limits, windowMs }: AttemptRequest): Promise<Reservation> {
    const now = this.clock.now();
    const keys = ordered(limits);
    const answer = await this.db.transaction().execute(async (tx): Promise<Reservation> => {
      for (const { id } of keys) await lockAttemptKey(tx, id);
      const current = await readAttempts(tx, keys.map(({ id }) => id));
      let wait = 0;
      for (const { id, max } of keys) wait = Math.max(wait, waitForRoom(current.get(id) ?? [], max, now, windowMs));
      if (wait > 0) return { ok: false, retryAfterMs: wait };
      for (const { id } of keys) {
        await writeAttempts(tx, id, [...inWindow(current.get(id) ?? [], now, windowMs), [now, attemptId]], now + windowMs);
      }
      return { ok: true };
    });
    if (now - this.lastPurge >= PURGE_INTERVAL_MS) {
      this.lastPurge = now;
      await deleteExpiredAttempts(this.db, now);
    }
    return answer;
  }

  async release(attemptId: string, key: string): Promise<void> {
    const id = keyId(key);
    await this.db.transaction().execute(async (tx) => {
      await lockAttemptKey(tx, id);
      const attempts = (await readAttempts(tx, [id])).get(id) ?? [];
      await writeAttempts(tx, id, attempts.filter(([, attempt]) => attempt !== attemptId));
    });
  }

  async clear(key: string): Promise<void> {
    await deleteAttempts(this.db, keyId(key));
  }
}

/** The budget that fits the backend: shared in the database, or this process's memory. */
export function createAttemptBudget(store: Store, clock: Clock): AttemptBudget {
  return store.capabilities.sharedAcrossProcesses ? new DatabaseAttemptBudget(store.db, clock) : new MemoryAttemptBudget(clock);
}
