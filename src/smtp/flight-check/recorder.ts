/**
 * Collects step results in session order, reports each as it completes, and turns the
 * failure of a step without any server reply into a coarse duration.
 *
 * Why coarse: a check can be pointed at any public host, and how long a refused, filtered
 * or silent port takes to fail tells a lot about the network in between. Such failures are
 * reported in whole seconds (rounded up, capped at the step's timeout) and, when asked,
 * the check's answer is held back until that much time has really passed.
 */
import type { Clock } from '../../clock.ts';
import type { Locale, PresetId } from '../../glossary.ts';
import { explain } from '../explanations.ts';
import type { SmtpFailure } from '../failure.ts';
import { explainStep } from './check-explanations.ts';
import type { StepExplanation, StepExplanationId } from './check-explanations.ts';
import type { CheckMode, FlightCheckStep, Security, StepData, StepId } from './types.ts';
import { messages } from './messages.ts';
import type { Messages } from './messages.ts';

/** Failed network steps are reported in steps of this size. */
export const FAILURE_TIME_STEP_MS = 1000;

export function stepOrder(security: Security, mode: CheckMode = 'full'): StepId[] {
  const session: StepId[] = security === 'tls' ? ['dns', 'connect', 'tls', 'greeting', 'ehlo', 'auth'] : ['dns', 'connect', 'greeting', 'tls', 'ehlo', 'auth'];
  return mode === 'sign-in' ? session : [...session, 'sender', 'recipient', 'test-email'];
}

export function coarseDuration(elapsedMs: number, capMs: number): number {
  const rounded = Math.max(FAILURE_TIME_STEP_MS, Math.ceil(elapsedMs / FAILURE_TIME_STEP_MS) * FAILURE_TIME_STEP_MS);
  return Math.max(Math.min(rounded, Math.ceil(capMs / FAILURE_TIME_STEP_MS) * FAILURE_TIME_STEP_MS), FAILURE_TIME_STEP_MS);
}

export interface Outcome {
  detail: string;
  data?: StepData;
}

export class StepRecorder {
  readonly t: Messages;
  private readonly results = new Map<StepId, FlightCheckStep>();
  private readonly order: StepId[];
  private failed = false;
  /** Set once the run was interrupted: nothing later is recorded. */
  private closed = false;
  /** Real time (performance.now) until which the answer is held, see padFailureTiming. */
  holdUntil = 0;

  constructor(
    private readonly options: {
      security: Security;
      mode?: CheckMode;
      locale: Locale;
      preset?: PresetId;
      clock: Clock;
      onStep?: (step: FlightCheckStep) => void;
      /** The caller's deadline: a step failing once it fired failed because of it. */
      signal?: AbortSignal;
    },
  ) {
    this.t = messages(options.locale);
    this.order = stepOrder(options.security, options.mode);
  }

  get hasFailed(): boolean {
    return this.failed;
  }

  /** A running step's start, to pass back to ok/warn/fail. */
  start(): { clock: number; real: number } {
    return { clock: this.options.clock.now(), real: performance.now() };
  }

  /** `endedAt` (clock time) records a step whose verdict was only known later (the sender, after RCPT). */
  ok(id: StepId, started: { clock: number }, outcome: Outcome, endedAt?: number): void {
    this.record({ id, status: 'ok', durationMs: this.elapsed(started, endedAt), ...outcome });
  }

  warn(id: StepId, started: { clock: number }, outcome: Outcome, explanation: StepExplanationId): void {
    this.record({ id, status: 'warn', durationMs: this.elapsed(started), ...outcome, explanation: this.explainId(explanation) });
  }

  skip(id: StepId, detail: string, data?: StepData): void {
    this.record({ id, status: 'skipped', durationMs: 0, detail, ...(data ? { data } : {}) });
  }

  /**
   * A failed step. `capMs` marks a failure without any server reply (refused, timed out,
   * handshake…): its duration is reported coarsely, at most capMs rounded up.
   */
  fail(
    id: StepId,
    started: { clock: number; real: number },
    outcome: Outcome,
    failure: SmtpFailure,
    options: { capMs?: number; explanation?: StepExplanationId } = {},
  ): void {
    // The abort destroyed the connection under the step: the deadline is the cause, not the server.
    if (this.options.signal?.aborted) return this.interrupt(id, started);
    const explanation = options.explanation
      ? this.explainId(options.explanation, failure)
      : explain(failure, { locale: this.options.locale, ...(this.options.preset ? { preset: this.options.preset } : {}) });
    let durationMs = this.elapsed(started);
    if (options.capMs !== undefined && failure.code === undefined) {
      durationMs = coarseDuration(durationMs, options.capMs);
      this.holdUntil = Math.max(this.holdUntil, started.real + durationMs);
    }
    this.record({ id, status: 'fail', durationMs, ...outcome, explanation });
  }

  /**
   * The run was stopped at the caller's deadline while step `id` was under way: that step fails
   * as `relay-timeout` (a coarse duration, as any failure without a reply), and nothing the
   * interrupted session does afterwards is recorded.
   */
  interrupt(id: StepId, started: { clock: number; real: number }): void {
    if (this.closed) return;
    // The step under way, or (should it be recorded already) the first one not reached.
    const target = this.results.has(id) ? this.order.find((step) => !this.results.has(step)) : id;
    if (target !== undefined) {
      const durationMs = coarseDuration(this.elapsed(started), this.elapsed(started));
      this.holdUntil = Math.max(this.holdUntil, started.real + durationMs);
      this.record({ id: target, status: 'fail', durationMs, detail: this.t.relayTimeout, explanation: this.explainId('relay-timeout') });
    }
    this.closed = true;
  }

  /** Every step in session order; those never reached are skipped. Nothing is recorded afterwards. */
  finish(): FlightCheckStep[] {
    this.closed = false;
    for (const id of this.order) {
      if (this.results.has(id)) continue;
      this.skip(id, id === 'test-email' && !this.failed ? this.t.testEmailNotRequested : this.t.skippedAfterFailure);
    }
    this.closed = true;
    return this.order.map((id) => this.results.get(id) as FlightCheckStep);
  }

  private explainId(id: StepExplanationId, failure?: SmtpFailure): StepExplanation {
    return explainStep(id, { locale: this.options.locale, ...(this.options.preset ? { preset: this.options.preset } : {}) }, failure);
  }

  private elapsed(started: { clock: number }, endedAt = this.options.clock.now()): number {
    return Math.max(0, Math.round(endedAt - started.clock));
  }

  private record(step: FlightCheckStep): void {
    if (this.closed || this.results.has(step.id)) return;
    if (step.data === undefined) delete step.data;
    this.results.set(step.id, step);
    if (step.status === 'fail') this.failed = true;
    this.options.onStep?.(step);
  }
}
