// Claims due messages and hands each to a delivery (delivery.ts: route at send time, send,
// record the outcome); keeps their leases alive, wakes on new work, stops gracefully.
import { setTimeout as delay } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { toError } from '../errors.ts';
import { Delivery, type DeliveryDeps } from './delivery.ts';
import type { ClaimedMessage } from './message.ts';
import { claimMessages } from './sql/claim-messages.ts';
import { nextWakeUp } from './sql/next-wake-up.ts';
import { releaseLeases } from './sql/release-leases.ts';
import { renewLeases } from './sql/renew-leases.ts';

export interface DispatcherDeps extends Omit<DeliveryDeps, 'workerId'> {
  leaseMs: number;
  concurrency: number;
  /** Longest sleep between looks at the queue when nothing wakes the dispatcher (other processes, due retries). */
  idlePollMs?: number;
  /**
   * Work that runs beside the queue (relay health probes); `tick` returns when it next has
   * something to do. The loop runs it without waiting for it; `runOnce` waits for it first.
   */
  housekeeping?: {
    tick(): Promise<number | undefined>;
    /** Resolves once the work `tick` started in the background (probes) has finished. */
    settled?(): Promise<void>;
  };
  workerId?: string;
}

export class Dispatcher {
  readonly workerId: string;
  private readonly inFlight = new Map<string, Promise<void>>();
  private running = false;
  /** Loop turns in a row that met a database fault: the backoff grows with it. */
  private faultStreak = 0;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;
  private readonly idleWaiters: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private housekeeping: Promise<void> | undefined;
  private housekeepingDueAt: number | undefined;
  private readonly delivery: Delivery;
  /** The organization served last: the next claim starts with the one after it (round robin). */
  private turn: string | undefined;

  constructor(private readonly deps: DispatcherDeps) {
    this.workerId = deps.workerId ?? `dispatcher-${randomBytes(6).toString('hex')}`;
    this.delivery = new Delivery({ ...deps, workerId: this.workerId });
  }

  /** Starts the loop; new work is picked up as soon as `wake()` is called. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.heartbeat = setInterval(() => void this.renew(), Math.max(250, Math.floor(this.deps.leaseMs / 3)));
    this.heartbeat.unref();
    this.loop = this.run();
  }

  /** Signals that work may be due (a message was accepted, a setting changed). */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /**
   * Claims and sends everything due now, waits for those sends, and returns how many messages
   * it handled. For tests and one-shot runs; does not need `start()`.
   */
  async runOnce(): Promise<number> {
    await this.deps.housekeeping?.tick();
    await this.deps.housekeeping?.settled?.();
    let handled = 0;
    for (;;) {
      const claimed = await this.claim(this.deps.concurrency);
      if (claimed.length === 0) break;
      handled += claimed.length;
      await Promise.all(claimed.map((m) => this.track(m)));
    }
    return handled;
  }

  /**
   * Stops claiming, lets in-flight sends finish for up to `graceMs`, then returns the
   * unfinished ones to the queue.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUp?.();
    clearInterval(this.heartbeat);
    await this.loop;
    // A probe under way gets the same grace period as the sends.
    const probes = this.deps.housekeeping?.settled?.();
    const pending = [...this.inFlight.values(), ...(this.housekeeping ? [this.housekeeping] : []), ...(probes ? [probes] : [])];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(pending),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    const unfinished = [...this.inFlight.keys()];
    if (unfinished.length > 0) {
      const released = await releaseLeases(this.deps.store.db, { owner: this.workerId, ids: unfinished, now: this.deps.clock.now() });
      this.deps.logger.warn({ released }, 'returned unfinished sends to the queue at shutdown');
    }
  }

  /**
   * Resolves the next time the loop finds nothing to send and waits (for a wake, a due time
   * or its idle poll) with no send in flight: lets callers act on a dispatcher known to be idle.
   */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters.splice(0);
    for (const resolve of waiters) resolve();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        this.pendingWake = false;
        this.startHousekeeping();
        const free = this.deps.concurrency - this.inFlight.size;
        const claimed = free > 0 ? await this.claim(free) : [];
        if (this.faultStreak > 0) {
          this.faultStreak = 0;
          const incident = this.deps.store.faults.answered();
          if (incident) this.deps.logger.info({ kind: incident.kind }, 'database answers again; dispatching resumes');
        }
        for (const message of claimed) void this.track(message);
        if (claimed.length > 0 && claimed.length === free) continue;
        if (this.pendingWake) continue;
        const delay = await this.idleDelay();
        if (this.pendingWake) continue;
        const asleep = this.sleep(delay);
        if (this.inFlight.size === 0) this.settleIdle();
        await asleep;
      } catch (error) {
        // The database away (restart, failover, full disk): the store logs the incident once;
        // the loop backs off (1 s, doubling to 30 s) and resumes by itself when it answers.
        if (this.deps.store.faults.note(error)) {
          this.faultStreak += 1;
          await this.sleep(Math.min(30_000, 1000 * 2 ** (this.faultStreak - 1)));
          continue;
        }
        this.deps.logger.error({ err: toError(error) }, 'dispatcher loop error; retrying shortly');
        await this.sleep(1000);
      }
    }
  }

  private async idleDelay(): Promise<number> {
    const idle = this.deps.idlePollMs ?? 1000;
    const now = this.deps.clock.now();
    const next = await nextWakeUp(this.deps.store.db, this.deps.router.excludedOrganizations?.(now) ?? []);
    const times = [next, this.housekeepingDueAt].filter((t): t is number => t !== undefined);
    if (times.length === 0) return idle;
    return Math.min(idle, Math.max(0, Math.min(...times) - now));
  }

  /** Runs housekeeping when it is due, in the background; one run at a time. */
  private startHousekeeping(): void {
    const { housekeeping } = this.deps;
    if (!housekeeping || this.housekeeping) return;
    if (this.housekeepingDueAt !== undefined && this.housekeepingDueAt > this.deps.clock.now()) return;
    this.housekeeping = housekeeping
      .tick()
      .then(
        (next) => {
          this.housekeepingDueAt = next;
        },
        (error: unknown) => {
          this.housekeepingDueAt = this.deps.clock.now() + 5000;
          this.deps.logger.error({ err: toError(error) }, 'relay housekeeping failed; retrying shortly');
        },
      )
      .finally(() => {
        this.housekeeping = undefined;
        if (this.running) this.wake();
      });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private async claim(limit: number): Promise<ClaimedMessage[]> {
    const now = this.deps.clock.now();
    // In a transaction shared with the accepts and send outcomes under way (group commit): the
    // claim's queries wait once for SQLite's single connection, and its commit costs no fsync
    // of its own.
    const claimed = await this.deps.store.commits.run((tx) => claimMessages(tx, this.deps.store.capabilities, {
      owner: this.workerId,
      now,
      leaseUntil: now + this.deps.leaseMs,
      limit,
      excludeOrganizations: this.deps.router.excludedOrganizations?.(now) ?? [],
      inFlight: [...this.inFlight.keys()],
      ...(this.turn !== undefined ? { after: this.turn } : {}),
    }));
    this.turn = claimed.at(-1)?.organizationId ?? this.turn;
    return claimed;
  }

  private track(message: ClaimedMessage): Promise<void> {
    const work = this.deliverSurvivingFaults(message)
      .catch((error: unknown) => {
        this.deps.logger.error({ err: toError(error), messageId: message.id }, 'could not record the outcome of a send');
      })
      .finally(() => {
        this.inFlight.delete(message.id);
        if (this.running) this.wake();
      });
    this.inFlight.set(message.id, work);
    return work;
  }

  /** A database fault before the send: the claimed message is tried again (lease kept) once it answers. */
  private async deliverSurvivingFaults(message: ClaimedMessage): Promise<void> {
    for (let tries = 0; ; tries += 1) {
      try {
        return await this.delivery.deliver(message);
      } catch (error) {
        if (!this.running || tries >= 9 || !this.deps.store.faults.note(error)) throw error;
        await delay(Math.min(30_000, 1000 * 2 ** tries));
      }
    }
  }

  private async renew(): Promise<void> {
    if (this.inFlight.size === 0) return;
    try {
      const ids = [...this.inFlight.keys()];
      const leaseUntil = this.deps.clock.now() + this.deps.leaseMs;
      await renewLeases(this.deps.store.db, { owner: this.workerId, ids, leaseUntil });
      await this.deps.router.renew?.(ids, leaseUntil);
    } catch (error) {
      this.deps.logger.warn({ err: toError(error) }, 'could not renew leases');
    }
  }
}
