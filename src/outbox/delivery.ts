// One attempt at one claimed message: route it at send time, compose and send it (or let it
// wait for its relay), then record the outcome, the recipients' state and the platform event
// under the claiming dispatcher's lease, and tell the router how it went.
import type { Clock } from '../clock.ts';
import { toError } from '../errors.ts';
import type { Route } from '../glossary.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { composeMessage } from '../smtp/compose.ts';
import { replyCodeOf, sanitizeReply } from '../smtp/reply-sanitize.ts';
import type { Store } from '../store/store.ts';
import { classifyDatabaseError } from '../store/database-faults.ts';
import { setTimeout as delay } from 'node:timers/promises';
import type { Attempt, ClaimedMessage } from './message.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { isPostponement, type Postponement, type RouteDecision, type Router } from './router.ts';
import { classifySendError } from './send-outcome.ts';
import { settle, type SendReport, type Settlement } from './settle.ts';
import { completeMessage } from './sql/complete-message.ts';
import { expireMessage } from './sql/expire-message.ts';
import { recordEvent } from './outbox.ts';
import { postponeMessage } from './sql/postpone-message.ts';
import { updateRecipients } from './sql/recipients.ts';

/** Retries of an outcome's record while the database is away: about two and a half minutes. */
const RECORD_RETRIES = 10;

export interface DeliveryDeps {
  store: Store;
  clock: Clock;
  router: Router;
  logger: Logger;
  metrics: Metrics;
  retryPolicy: RetryPolicy;
  /** The dispatcher whose lease covers the message. */
  workerId: string;
  /** Called once an outcome and its events have committed (the webhook dispatcher looks at its queue). */
  onRecorded?: () => void;
}

export class Delivery {
  constructor(private readonly deps: DeliveryDeps) {}

  /** Routes the message, sends it (or lets it wait), and records the outcome under the dispatcher's lease. */
  async deliver(message: ClaimedMessage): Promise<void> {
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
      // The database went away before anything was sent: not an attempt; the dispatcher retries.
      if (handedOverAt === undefined && classifyDatabaseError(error)) throw error;
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
      recorded = await this.recordSurvivingFaults(message, attempt, result);
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
    this.deps.onRecorded?.();
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
    await this.deps.store.commits.run(async (tx) => {
      if (code && now >= expiresAt) {
        if (!(await expireMessage(tx, { id: message.id, owner: this.deps.workerId, now, errorCode: 'retries_exhausted' }))) return;
        await recordEvent(tx, {
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
      if (!(await postponeMessage(tx, { id: message.id, owner: this.deps.workerId, until, now, ...(code ? { code } : {}) }))) return;
      this.deps.metrics.postponed.inc({ reason: code ?? 'relay_busy' });
      // Said once when the message starts waiting for a new reason, not at every re-check.
      if (code && code !== message.lastErrorCode) {
        await recordEvent(tx, {
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

  /**
   * The send happened: its outcome is recorded even if the database is away for a while (the
   * dispatcher keeps renewing the lease meanwhile), so that it is not sent again.
   */
  private async recordSurvivingFaults(message: ClaimedMessage, attempt: Attempt, result: Settlement): Promise<boolean> {
    for (let tries = 0; ; tries += 1) {
      try {
        return await this.record(message, attempt, result);
      } catch (error) {
        if (tries >= RECORD_RETRIES || !this.deps.store.faults.note(error)) throw error;
        await delay(Math.min(30_000, 500 * 2 ** tries));
      }
    }
  }

  /**
   * Writes the attempt, the recipients' state and the platform event in one transaction, shared
   * with the outcomes of the other sends that finish meanwhile (one commit for all of them).
   */
  private async record(message: ClaimedMessage, attempt: Attempt, result: Settlement): Promise<boolean> {
    return this.deps.store.commits.run(async (tx) => {
      const owned = await completeMessage(tx, {
        id: message.id,
        owner: this.deps.workerId,
        attempt,
        ...(result.retryAt !== undefined ? { nextAttemptAt: result.retryAt } : {}),
      });
      if (!owned) return false;
      await updateRecipients(tx, message.id, result.recipients, attempt.finishedAt);
      await recordEvent(tx, {
        organizationId: message.organizationId,
        type: `message.${attempt.outcome}`,
        messageId: message.id,
        data: {
          attempt: attempt.attempt,
          route: attempt.route,
          errorCode: attempt.errorCode,
          ...replyCodeField(attempt.reply),
          ...(result.retryAt ? { retryAt: new Date(result.retryAt).toISOString() } : {}),
        },
        at: attempt.finishedAt,
      });
      // Each recipient refused for good by this attempt (the others may still be delivered).
      for (const r of result.recipients) {
        if (r.status !== 'failed' || message.recipients.find((m) => m.position === r.position)?.status !== 'pending') continue;
        await recordEvent(tx, {
          organizationId: message.organizationId,
          type: 'message.recipient_failed',
          messageId: message.id,
          data: { attempt: attempt.attempt, route: attempt.route, position: r.position, errorCode: attempt.errorCode, ...replyCodeField(r.reply) },
          at: attempt.finishedAt,
        });
      }
      return true;
    });
  }
}

/** The reply's codes (`550 5.1.1`) for events: never the server's words, which may quote addresses. */
function replyCodeField(reply: string | null): { replyCode?: string } {
  const code = replyCodeOf(reply);
  return code ? { replyCode: code } : {};
}
