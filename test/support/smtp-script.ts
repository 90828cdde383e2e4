// Scripted replies of the SMTP fixture: what a relay answers at each stage of a session
// instead of its normal behaviour, so tests can reproduce real providers' failures.
import type { CapturedMessage } from './smtp-fixture.ts';

/** A reply line as the client will read it: `${code} ${text}`, nothing added. */
export interface SmtpReply {
  code: number;
  text: string;
}

/**
 * 'accept' = normal behaviour; 'hang' = never answer (the socket stays open);
 * 'drop' = destroy the connection instead of answering.
 */
export type ScriptedReply = SmtpReply | 'accept' | 'hang' | 'drop';

/**
 * A queue (each event takes the next entry; once empty, normal behaviour resumes) or a
 * function deciding per event (`undefined` = normal behaviour).
 */
export type StageScript<Input> = readonly ScriptedReply[] | ((input: Input) => ScriptedReply | undefined);

export interface ConnectInput {
  remoteAddress: string;
}

export interface AuthInput {
  username: string;
  password: string;
}

export type ScriptStage = 'connect' | 'auth' | 'mail' | 'rcpt' | 'data';

/**
 * connect: instead of the greeting (a 4xx/5xx reply closes the connection, as a refusing
 *   relay does); 'hang' accepts TCP and never sends a banner.
 * auth / mail / rcpt: instead of the normal answer to AUTH, MAIL FROM, RCPT TO (4xx/5xx).
 * data: after the whole body was received, instead of the final reply; a 250 reply accepts
 *   the message with that text, 4xx/5xx rejects it (it is not captured).
 */
export interface Script {
  connect?: StageScript<ConnectInput>;
  auth?: StageScript<AuthInput>;
  mail?: StageScript<string>;
  rcpt?: StageScript<string>;
  /** Receives the message fully received and parsed, as it would be captured. */
  data?: StageScript<CapturedMessage>;
}

interface StageInputs {
  connect: ConnectInput;
  auth: AuthInput;
  mail: string;
  rcpt: string;
  data: CapturedMessage;
}

/** Holds the current script; queues are copied so a test's array is never consumed. */
export class ScriptRunner {
  private script: Script = {};
  private queues = new Map<ScriptStage, ScriptedReply[]>();

  constructor(script: Script = {}) {
    this.set(script);
  }

  set(script: Script): void {
    this.script = script;
    this.queues.clear();
    for (const stage of Object.keys(script) as ScriptStage[]) {
      const entry = script[stage];
      if (Array.isArray(entry)) {
        entry.forEach((reply: ScriptedReply) => assertReplyFits(stage, reply));
        this.queues.set(stage, [...(entry as readonly ScriptedReply[])]);
      }
    }
  }

  /**
   * The reply for this event, 'accept' when the script says nothing. A script function that
   * throws or returns a reply the stage cannot give yields a 451 carrying the reason, so
   * the test fails with an explanation instead of the server crashing mid-session.
   */
  next<S extends ScriptStage>(stage: S, input: StageInputs[S]): ScriptedReply {
    try {
      const entry = this.script[stage] as StageScript<StageInputs[S]> | undefined;
      const reply = typeof entry === 'function' ? entry(input) : this.queues.get(stage)?.shift();
      if (reply === undefined) return 'accept';
      assertReplyFits(stage, reply);
      return reply;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { code: 451, text: `4.3.0 SMTP fixture script failed: ${reason.replace(/[\r\n]+/g, ' ')}` };
    }
  }
}

function assertReplyFits(stage: ScriptStage, reply: ScriptedReply): void {
  if (typeof reply === 'string') return;
  const { code, text } = reply;
  // smtp-server writes its own success lines for every stage but DATA, so only failures can
  // be scripted there; refusing early beats a test that silently sees a different reply.
  const allowed = stage === 'data' ? code === 250 || (code >= 400 && code <= 599) : code >= 400 && code <= 599;
  if (!Number.isInteger(code) || !allowed) {
    throw new TypeError(`SMTP fixture: ${stage} cannot reply ${code} (use 4xx/5xx${stage === 'data' ? ' or 250' : ''})`);
  }
  if (/[\r\n]/.test(text)) throw new TypeError(`SMTP fixture: ${stage} reply text must be a single line`);
}
