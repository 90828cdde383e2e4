// Turns what the SMTP client reported into an attempt outcome, through the one
// classification table (src/smtp/reply-classification.ts).
import { fromNodemailerError, sanitizeServerText, type SmtpFailure } from '../smtp/failure.ts';
import { classify, retryAfterHint, type FailureClass } from '../smtp/reply-classification.ts';
import type { ExplanationId } from '../smtp/explanations.ts';

export interface FailureOutcome {
  class: FailureClass;
  failure: SmtpFailure;
  /** The server's reply as Relais shows it, or null when it gave none (network failure). */
  reply: string | null;
  /** The explanation id; stored as the attempt's error code so the UI can explain it. */
  errorCode: ExplanationId;
  /** Shortest wait before the next try: the table's minimum or the server's own hint. */
  minDelaySeconds?: number;
}

export function classifySendError(error: unknown, context: { port?: number; secure?: boolean } = {}): FailureOutcome {
  const failure = fromNodemailerError(error, context);
  const classification = classify(failure);
  const reply = failure.code !== undefined ? (sanitizeServerText(failure) ?? null) : null;
  const hint = failure.text ? retryAfterHint(failure.text) : undefined;
  const minDelay = Math.max(classification.retry?.minDelaySeconds ?? 0, hint ?? 0);
  return {
    class: classification.class,
    failure,
    reply,
    errorCode: classification.explanation,
    ...(minDelay > 0 ? { minDelaySeconds: minDelay } : {}),
  };
}
