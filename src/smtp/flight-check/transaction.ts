/**
 * The mail transaction of the flight check: MAIL FROM with the configured sender (send-as
 * refusals show here), RCPT TO, then either RSET (nothing is sent) or a real test email
 * through the same session, composed as delivery composes mail.
 */
import DataStream from 'nodemailer/lib/smtp-connection/data-stream';
import type { Clock } from '../../clock.ts';
import type { PresetId } from '../../glossary.ts';
import type { SmtpTarget } from '../address-guard.ts';
import type { ExplanationId } from '../explanations.ts';
import { classify } from '../reply-classification.ts';
import { isSuccess, replyData, replyFailure, shown } from './step-io.ts';
import type { StepIo } from './step-io.ts';
import { composeTestMessage } from './test-message.ts';
import type { Capabilities, FlightCheckInput, FlightCheckReport, StepData, StepId } from './types.ts';

/** Refusals a server gives at RCPT TO that are about the sender (Postfix checks the sender there). */
const SENDER_REFUSALS: ReadonlySet<ExplanationId> = new Set(['send-as-denied', 'sender-rejected']);
/** Providers that check send-as rights only once the message is sent. */
const SEND_AS_CHECKED_AFTER_DATA: ReadonlySet<PresetId> = new Set(['microsoft-365', 'outlook']);

export interface TransactionContext {
  io: StepIo;
  input: FlightCheckInput;
  toEmail: string;
  target: SmtpTarget;
  capabilities: Capabilities | undefined;
  clock: Clock;
  messageIdDomain: string | undefined;
  /** Marks the step under way (what an abort of the run fails). */
  enter?: (step: StepId) => unknown;
}

/** MAIL FROM and RCPT TO; false when either failed. */
export async function checkEnvelope(ctx: TransactionContext): Promise<boolean> {
  const { io, input } = ctx;
  const { r, session } = io;
  const t = r.t;
  const from = input.fromEmail;
  const to = ctx.toEmail;
  const utf8 = /[^\x20-\x7e]/.test(from + to) && ctx.capabilities?.smtputf8 ? ' SMTPUTF8' : '';

  const senderStarted = r.start();
  ctx.enter?.('sender');
  const mail = await io.command(`MAIL FROM:<${from}>${utf8}`, 'sender', senderStarted);
  if (!mail) return false;
  const senderData: StepData = { sender: shown(from), ...replyData(mail) };
  if (!isSuccess(mail)) {
    io.refused('sender', senderStarted, t.senderRefused(shown(from)), mail, senderData);
    return false;
  }
  // The sender's verdict waits for RCPT TO: some servers refuse the sender only there.
  const senderEnded = r.start();
  const senderOk = () => {
    const note = input.preset !== undefined && SEND_AS_CHECKED_AFTER_DATA.has(input.preset) && !input.sendTestEmail ? t.senderCheckedAtDelivery : '';
    r.ok('sender', senderStarted, { detail: t.senderOk(shown(from)) + note, data: senderData }, senderEnded.clock);
  };

  const rcptStarted = r.start();
  ctx.enter?.('recipient');
  let rcpt;
  try {
    rcpt = await session.command(`RCPT TO:<${to}>`, io.socketTimeout);
  } catch (error) {
    senderOk();
    io.lost('recipient', rcptStarted, error);
    return false;
  }
  if (isSuccess(rcpt)) {
    senderOk();
    r.ok('recipient', rcptStarted, { detail: t.recipientOk(shown(to)), data: { recipient: shown(to), ...replyData(rcpt) } });
    return true;
  }
  const failure = replyFailure('rcpt', rcpt);
  if (SENDER_REFUSALS.has(classify(failure).explanation)) {
    // Postfix (smtpd_delay_reject) and others answer a sender refusal at RCPT TO: it is
    // the sender the owner has to fix, so the sender step is the one that fails.
    r.fail('sender', senderStarted, { detail: t.senderRefusedAtRcpt(shown(from)), data: { sender: shown(from), ...replyData(rcpt) } }, failure);
    return false;
  }
  senderOk();
  r.fail('recipient', rcptStarted, { detail: t.recipientRefused(shown(to)), data: { recipient: shown(to), ...replyData(rcpt) } }, failure);
  return false;
}

function dotStuffed(raw: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = new DataStream();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
    stream.end(raw);
  });
}

/** Sends the test email when asked, else resets the transaction; returns the test email's record. */
export async function finishTransaction(ctx: TransactionContext): Promise<FlightCheckReport['testEmail']> {
  const { io, input } = ctx;
  const { r, session } = io;
  const t = r.t;
  const to = ctx.toEmail;
  if (!input.sendTestEmail) {
    await session.command('RSET', io.socketTimeout).catch(() => undefined);
    r.skip('test-email', t.testEmailNotRequested);
    return undefined;
  }
  const started = r.start();
  ctx.enter?.('test-email');
  const { raw, messageId } = await composeTestMessage({
    from: input.fromEmail,
    to,
    host: ctx.target.host,
    port: ctx.target.port,
    date: new Date(ctx.clock.now()),
    ...(ctx.messageIdDomain ? { messageIdDomain: ctx.messageIdDomain } : {}),
  });
  const record: NonNullable<FlightCheckReport['testEmail']> = { to, messageId, accepted: false };
  const base: StepData = { recipient: shown(to), messageId };
  const data = await io.command('DATA', 'test-email', started);
  if (!data) return record;
  if (data.code !== 354) {
    io.refused('test-email', started, t.testEmailRefused(shown(to)), data, base, 'data');
    return record;
  }
  session.write(await dotStuffed(raw));
  let final;
  try {
    final = await session.read(io.socketTimeout);
  } catch (error) {
    io.lost('test-email', started, error);
    return record;
  }
  const stepData: StepData = { ...base, ...replyData(final) };
  if (stepData.reply) record.reply = stepData.reply;
  if (!isSuccess(final)) {
    io.refused('test-email', started, t.testEmailRefused(shown(to)), final, base);
    return record;
  }
  record.accepted = true;
  r.ok('test-email', started, { detail: t.testEmailSent(shown(to)), data: stepData });
  return record;
}
