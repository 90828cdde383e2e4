// What every step does with the session: send a command, and record a refusal (a reply) or
// a lost connection (no reply) as the step's failure.
import { fromNodemailerError, parseSmtpReply } from '../failure.ts';
import type { NetworkFailure, SmtpFailure, SmtpStage } from '../failure.ts';
import { sanitizeReply } from '../reply-sanitize.ts';
import type { StepRecorder } from './recorder.ts';
import { SessionError } from './smtp-session.ts';
import type { Reply, SmtpSession } from './smtp-session.ts';
import type { StepData, StepId } from './types.ts';

/** The session stage each step's failures are classified under. */
export const STAGE: Record<StepId, SmtpStage> = {
  dns: 'dns',
  connect: 'connect',
  greeting: 'greeting',
  tls: 'tls',
  ehlo: 'ehlo',
  auth: 'auth',
  sender: 'mail',
  recipient: 'rcpt',
  'test-email': 'message',
};

export type Started = { clock: number; real: number };

export const isSuccess = (reply: Reply): boolean => reply.code >= 200 && reply.code < 300;

export function replyFailure(stage: SmtpStage, reply: Reply): SmtpFailure {
  const parsed = parseSmtpReply(reply.text);
  return { stage, code: reply.code, ...(parsed.enhanced ? { enhanced: parsed.enhanced } : {}), text: parsed.text };
}

export function networkOf(error: unknown, fallback: NetworkFailure): NetworkFailure {
  if (error instanceof SessionError) return error.network;
  return fromNodemailerError(error).network ?? fallback;
}

/** Owner input shown in a detail line: printable and bounded (it may reach a terminal). */
export function shown(text: string): string {
  const printable = text.replace(/[\p{Cc}\p{Cf}]/gu, '?');
  return printable.length > 100 ? `${printable.slice(0, 99)}…` : printable;
}

/** The server's reply as data of a step, when it is an SMTP reply worth showing. */
export function replyData(reply: Reply): StepData {
  const text = sanitizeReply(reply.text);
  return text ? { reply: text } : {};
}

export class StepIo {
  constructor(
    readonly r: StepRecorder,
    readonly session: SmtpSession,
    readonly socketTimeout: number,
  ) {}

  /** Sends a command; a connection that breaks or goes silent fails `step`. */
  async command(line: string, step: StepId, started: Started): Promise<Reply | undefined> {
    try {
      return await this.session.command(line, this.socketTimeout);
    } catch (error) {
      this.lost(step, started, error);
      return undefined;
    }
  }

  /** Fails `step` with the server's refusal. */
  refused(step: StepId, started: Started, detail: string, reply: Reply, data?: StepData, stage: SmtpStage = STAGE[step]): void {
    this.r.fail(step, started, { detail, data: { ...data, ...replyData(reply) } }, replyFailure(stage, reply));
  }

  /** Fails `step` for a connection that broke or went silent (a coarse duration, no reply). */
  lost(step: StepId, started: Started, error: unknown): void {
    const network = networkOf(error, 'ECONNRESET');
    const detail = network === 'NOT_SMTP' ? this.r.t.greetingNotSmtp : this.r.t.connectionLost;
    this.r.fail(step, started, { detail }, { stage: STAGE[step], network }, { capMs: this.socketTimeout });
  }
}
