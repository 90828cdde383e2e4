// Claims due messages, routes each one at send time, sends it and records the outcome.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { toError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { composeMessage } from '../smtp/compose.ts';
import { sanitizeReply } from '../smtp/reply-sanitize.ts';
import type { Store } from '../store/store.ts';
import type { Route } from '../glossary.ts';
import type { Attempt, ClaimedMessage } from './message.ts';
import { expireMessage } from './sql/expire-message.ts';
import { postponeMessage } from './sql/postpone-message.ts';
import { settle, type SendReport, type Settlement } from './settle.ts';
import { insertEvent } from './sql/events.ts';
import { updateRecipients } from './sql/recipients.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { isPostponement, type Postponement, type RouteDecision, type Router } from './router.ts';
import { classifySendError } from './send-outcome.ts';
import { claimMessages } from './sql/claim-messages.ts';
import { completeMessage } from './sql/complete-message.ts';
import { nextWakeUp } from './sql/next-wake-up.ts';
import { releaseLeases } from './sql/release-leases.ts';
import { renewLeases } from './sql/renew-leases.ts';

export interface DispatcherDeps {
  store: Store;
  clock: Clock;
  router: Router;
  logger: Logger;
  metrics: Metrics;
  retryPolicy: RetryPolicy;
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
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;
  private readonly idleWaiters: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private housekeeping: Promise<void> | undefined;
  private housekeepingDueAt: number | undefined;

  constructor(private readonly deps: DispatcherDeps) {
    this.workerId = deps.workerId ?? `dispatcher-${randomBytes(6).toString('hex')}`;
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
        for (const message of claimed) void this.track(message);
        if (claimed.length > 0 && claimed.length === free) continue;
        if (this.pendingWake) continue;
        const delay = await this.idleDelay();
        if (this.pendingWake) continue;
        const asleep = this.sleep(delay);
        if (this.inFlight.size === 0) this.settleIdle();
        await asleep;
      } catch (error) {
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

  private claim(limit: number): Promise<ClaimedMessage[]> {
    const now = this.deps.clock.now();
    return claimMessages(this.deps.store.db, this.deps.store.capabilities, {
      owner: this.workerId,
      now,
      leaseUntil: now + this.deps.leaseMs,
      limit,
      excludeOrganizations: this.deps.router.excludedOrganizations?.(now) ?? [],
    });
  }

  private track(message: ClaimedMessage): Promise<void> {
    const work = this.deliver(message)
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

  private async deliver(message: ClaimedMessage): Promise<void> {
    const { clock, logger, metrics } = this.deps;
    const startedAt = clock.now();
    const log = logger.child({ messageId: message.id, organizationId: message.organizationId, attempt: message.attempts });
    let route: Route = 'platform';
    let decision: RouteDecision | undefined;
    let report: SendReport;
    let handedOverAt: number | undefined;
    try {
      const decided = await this.deps.router.decide(message);
      if (isPostponement(decided)) return await this.postpone(message, decided.postpone);
      decision = decided;
      route = decision.route;
      handedOverAt = performance.now();
      report = await this.send(message, decision);
    } catch (error) {
      report = { kind: 'failed', outcome: classifySendError(error) };
    }
    const smtpSeconds = handedOverAt === undefined ? undefined : (performance.now() - handedOverAt) / 1000;
    const finishedAt = clock.now();
    const retryNow = report.kind === 'failed' && decision?.retryAtOnce?.({ failureClass: report.outcome.class, errorCode: report.outcome.errorCode }) === true;
    const result = settle({
      recipients: message.recipients,
      report,
      attempts: message.attempts,
      createdAt: message.createdAt,
      now: finishedAt,
      policy: this.deps.retryPolicy,
      retryNow,
    });
    const attempt: Attempt = {
      attempt: message.attempts,
      route,
      startedAt,
      finishedAt,
      outcome: result.outcome,
      reply: result.reply,
      errorCode: result.errorCode,
      failureClass: result.failureClass ?? null,
    };
    let recorded = false;
    try {
      recorded = await this.record(message, attempt, result);
    } finally {
      await this.finish(decision, attempt, result);
    }
    metrics.sendDuration.observe({ route, outcome: attempt.outcome }, (finishedAt - startedAt) / 1000);
    if (route === 'relay' && smtpSeconds !== undefined) {
      const timedOut = attempt.errorCode === 'relay-timeout';
      if (timedOut) metrics.relayDeadlineExpired.inc({ kind: 'delivery' });
      metrics.relaySendDuration.observe({ outcome: timedOut ? 'timeout' : attempt.outcome }, smtpSeconds);
    }
    if (!recorded) {
      log.warn('lease lost before the outcome was recorded; another dispatcher owns the message');
      return;
    }
    metrics[attempt.outcome].inc({ route });
    log.info({ route, outcome: attempt.outcome, errorCode: attempt.errorCode, ms: finishedAt - startedAt }, 'send attempt finished');
  }

  /** Tells the router how the attempt went (relay slots, relay health); never throws. */
  private async finish(decision: RouteDecision | undefined, attempt: Attempt, result: Settlement): Promise<void> {
    if (!decision?.finish) return;
    try {
      await decision.finish({
        outcome: attempt.outcome,
        ...(result.failureClass ? { failureClass: result.failureClass } : {}),
        errorCode: attempt.errorCode,
        reply: attempt.reply,
        acceptedRecipients: result.recipients.filter((r) => r.status === 'sent').length,
        at: attempt.finishedAt,
      });
    } catch (error) {
      this.deps.logger.error({ err: toError(error), route: attempt.route }, 'could not record what the attempt means for the relay');
    }
  }

  /**
   * The message waits without an attempt (its relay is held or at a limit). One that has
   * waited for the maximum age fails, as exhausted retries do.
   */
  private async postpone(message: ClaimedMessage, postponement: Postponement['postpone']): Promise<void> {
    const now = this.deps.clock.now();
    const { code } = postponement;
    const expiresAt = message.createdAt + this.deps.retryPolicy.maxAgeSeconds * 1000;
    const log = this.deps.logger.child({ messageId: message.id, organizationId: message.organizationId });
    await this.deps.store.db.transaction().execute(async (tx) => {
      if (code && now >= expiresAt) {
        if (!(await expireMessage(tx, { id: message.id, owner: this.workerId, now, errorCode: 'retries_exhausted' }))) return;
        await insertEvent(tx, {
          organizationId: message.organizationId,
          type: 'message.failed',
          messageId: message.id,
          data: { attempt: message.attempts - 1, errorCode: 'retries_exhausted', waitingFor: code },
          at: now,
        });
        this.deps.metrics.failed.inc({ route: message.route ?? 'relay' });
        log.info({ waitingFor: code }, 'message reached the maximum age while waiting for its relay');
        return;
      }
      const until = Math.max(now, Math.min(postponement.until, expiresAt));
      if (!(await postponeMessage(tx, { id: message.id, owner: this.workerId, until, now, ...(code ? { code } : {}) }))) return;
      this.deps.metrics.postponed.inc({ reason: code ?? 'relay_busy' });
      // Said once when the message starts waiting for a new reason, not at every re-check.
      if (code && code !== message.lastErrorCode) {
        await insertEvent(tx, {
          organizationId: message.organizationId,
          type: 'message.deferred',
          messageId: message.id,
          data: { attempt: message.attempts - 1, errorCode: code, retryAt: new Date(until).toISOString(), attemptCounted: false },
          at: now,
        });
        log.info({ code, until }, 'message waits for its relay');
      }
    });
  }

  /** Composes the message for the route and hands it over for the recipients still pending. */
  private async send(message: ClaimedMessage, decision: RouteDecision): Promise<SendReport> {
    const raw = await composeMessage({
      content: message.content,
      from: decision.from,
      ...(decision.replyTo && !message.content.replyTo ? { replyTo: decision.replyTo } : {}),
      messageId: message.messageId,
      date: new Date(message.createdAt),
    });
    const to = message.recipients.filter((r) => r.status === 'pending').map((r) => r.address);
    const result = await decision.transport.send({ from: decision.envelopeFrom, to }, raw);
    return {
      kind: 'accepted',
      reply: sanitizeReply(result.reply) ?? 'accepted',
      accepted: result.accepted,
      rejected: result.rejected.map((r) => ({
        address: r.address,
        outcome: classifySendError({ code: 'EENVELOPE', command: 'RCPT TO', response: r.reply, responseCode: Number.parseInt(r.reply, 10) }),
      })),
    };
  }

  /** Writes the attempt, the recipients' state and the platform event in one transaction. */
  private async record(message: ClaimedMessage, attempt: Attempt, result: Settlement): Promise<boolean> {
    return this.deps.store.db
      .transaction()
      .execute(async (tx) => {
        const owned = await completeMessage(tx, {
          id: message.id,
          owner: this.workerId,
          attempt,
          ...(result.retryAt !== undefined ? { nextAttemptAt: result.retryAt } : {}),
        });
        if (!owned) return false;
        await updateRecipients(tx, message.id, result.recipients, attempt.finishedAt);
        await insertEvent(tx, {
          organizationId: message.organizationId,
          type: `message.${attempt.outcome}`,
          messageId: message.id,
          data: { attempt: attempt.attempt, route: attempt.route, errorCode: attempt.errorCode, ...(result.retryAt ? { retryAt: new Date(result.retryAt).toISOString() } : {}) },
          at: attempt.finishedAt,
        });
        return true;
      });
  }
}
