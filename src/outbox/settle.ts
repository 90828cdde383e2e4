// What an attempt means for a message and each of its recipients. No I/O: the dispatcher
// records what this decides.
import type { FailureClass } from '../smtp/reply-classification.ts';
import type { Recipient, RecipientStatus } from './message.ts';
import { nextAttemptAt, type RetryPolicy } from './retry-policy.ts';
import type { FailureOutcome } from './send-outcome.ts';

/** What the SMTP exchange produced for the recipients it was given. */
export type SendReport =
  | { kind: 'accepted'; reply: string; accepted: string[]; rejected: { address: string; outcome: FailureOutcome }[] }
  | { kind: 'failed'; outcome: FailureOutcome };

export interface Settlement {
  outcome: 'sent' | 'deferred' | 'failed';
  /** When the remaining recipients are tried again (outcome deferred). */
  retryAt?: number;
  reply: string | null;
  errorCode: string | null;
  /** The failure class that decided the outcome, when there was a failure. */
  failureClass?: FailureClass;
  recipients: { position: number; status: RecipientStatus; reply: string | null }[];
}

/** Classes worth trying again: the server or the relay settings may be fine next time. */
const RETRYABLE: ReadonlySet<FailureClass> = new Set(['temporary', 'relay-config']);

export function settle(args: {
  recipients: Recipient[];
  report: SendReport;
  attempts: number;
  createdAt: number;
  now: number;
  policy: RetryPolicy;
  random?: () => number;
  /**
   * The recipients still pending are tried again at once rather than after backoff (the
   * route decided that a failure of this kind sends the message another way, e.g. through
   * the platform sender when the organization's relay refused it).
   */
  retryNow?: boolean;
}): Settlement {
  const { report } = args;
  const pending = args.recipients.filter((r) => r.status === 'pending');
  const updates = new Map<number, { status: RecipientStatus; reply: string | null }>();
  let minDelay = 0;
  let decisive: FailureOutcome | undefined;

  if (report.kind === 'accepted') {
    const accepted = new Set(report.accepted.map((a) => a.toLowerCase()));
    const rejected = new Map(report.rejected.map((r) => [r.address.toLowerCase(), r.outcome]));
    for (const r of pending) {
      const refusal = rejected.get(r.address);
      if (accepted.has(r.address)) updates.set(r.position, { status: 'sent', reply: report.reply });
      else if (refusal && !RETRYABLE.has(refusal.class)) updates.set(r.position, { status: 'failed', reply: refusal.reply });
      else if (refusal) {
        minDelay = Math.max(minDelay, refusal.minDelaySeconds ?? 0);
        decisive ??= refusal;
        updates.set(r.position, { status: 'pending', reply: refusal.reply });
      }
    }
  } else {
    decisive = report.outcome;
    minDelay = report.outcome.minDelaySeconds ?? 0;
    // Every recipient was refused for good, or the whole attempt failed before delivery.
    const status: RecipientStatus = report.outcome.class === 'recipient-permanent' || report.outcome.class === 'message-rejected' ? 'failed' : 'pending';
    for (const r of pending) updates.set(r.position, { status, reply: report.outcome.reply });
  }

  const stillPending = pending.filter((r) => (updates.get(r.position)?.status ?? 'pending') === 'pending');
  let retryAt: number | undefined;
  let exhausted = false;
  if (stillPending.length > 0 && args.retryNow) {
    retryAt = args.now - args.createdAt > args.policy.maxAgeSeconds * 1000 ? undefined : args.now;
    exhausted = retryAt === undefined;
    if (exhausted) for (const r of stillPending) updates.set(r.position, { status: 'failed', reply: updates.get(r.position)?.reply ?? null });
  } else if (stillPending.length > 0) {
    retryAt = nextAttemptAt(args.policy, {
      attempts: args.attempts,
      createdAt: args.createdAt,
      now: args.now,
      ...(minDelay > 0 ? { hintSeconds: minDelay } : {}),
      ...(args.random ? { random: args.random } : {}),
    });
    if (retryAt === undefined) {
      exhausted = true;
      for (const r of stillPending) updates.set(r.position, { status: 'failed', reply: updates.get(r.position)?.reply ?? null });
    }
  }

  const final = args.recipients.map((r) => updates.get(r.position)?.status ?? r.status);
  const anySent = final.includes('sent');
  const anyFailed = final.includes('failed');
  const outcome: Settlement['outcome'] = retryAt !== undefined ? 'deferred' : anySent ? 'sent' : 'failed';
  const reply = report.kind === 'accepted' && outcome === 'sent' ? report.reply : (decisive?.reply ?? (report.kind === 'accepted' ? report.reply : null));
  let errorCode: string | null;
  if (exhausted) errorCode = 'retries_exhausted';
  else if (outcome === 'sent') errorCode = anyFailed ? 'some_recipients_failed' : null;
  else errorCode = decisive?.errorCode ?? firstRefusal(report);
  return {
    outcome,
    ...(retryAt !== undefined ? { retryAt } : {}),
    reply,
    errorCode,
    ...(decisive ? { failureClass: decisive.class } : {}),
    recipients: [...updates].map(([position, u]) => ({ position, ...u })),
  };
}

function firstRefusal(report: SendReport): string | null {
  if (report.kind === 'failed') return report.outcome.errorCode;
  return report.rejected[0]?.outcome.errorCode ?? null;
}

