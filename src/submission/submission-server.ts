// The SMTP submission server (smtp-server): EHLO announces SIZE and, on the STARTTLS port,
// STARTTLS; AUTH PLAIN/LOGIN only over TLS unless insecure AUTH is allowed; MAIL, RCPT and DATA
// only once signed in. Each message goes through the API's pipeline — checked, committed to
// the outbox — before the final `250 2.0.0 Ok: queued as msg_…`.
import type { Readable } from 'node:stream';
import { SMTPServer, type SMTPServerAddress, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { AppError, toError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { AcceptResult, Submission } from '../outbox/outbox.ts';
import { isValidAddress, MAX_RECIPIENTS } from '../outbox/outbox.ts';
import { signIn, type SignInDeps, type SubmissionUser } from './submission-sign-in.ts';
import { readSubmission } from './submitted-message.ts';
import { hasEnhancedCode, queuedReply, REPLIES, SmtpReply } from './smtp-reply.ts';

const FORBIDDEN_IN_ADDRESS = /[\r\n\0]/;

export interface SubmissionHandlerDeps extends SignInDeps {
  logger: Logger;
  metrics: Metrics;
  /** Largest message accepted, in bytes, as announced in EHLO SIZE. */
  sizeLimit: number;
  accept(organizationId: string, submission: Submission): Promise<AcceptResult>;
}

export interface SubmissionServerOptions {
  /** Implicit TLS (smtps) rather than STARTTLS. */
  secure: boolean;
  tls: { cert: string; key: string } | undefined;
  allowInsecureAuth: boolean;
}

function userOf(session: SMTPServerSession): SubmissionUser {
  if (!session.user) throw REPLIES.authRequired(false);
  return session.user as SubmissionUser;
}

async function readAll(stream: Readable & { sizeExceeded?: boolean }): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    // Over the limit: smtp-server answers 552 itself; the rest is read and dropped.
    if (!stream.sizeExceeded) chunks.push(chunk as Buffer);
  }
  return stream.sizeExceeded ? undefined : Buffer.concat(chunks);
}

/** Reads, checks and commits one message; the reply text of its final 250, or the refusal. */
async function submit(deps: SubmissionHandlerDeps, user: SubmissionUser, message: Buffer, recipients: string[]): Promise<string> {
  const read = await readSubmission(message, recipients);
  if (read instanceof SmtpReply) throw read;
  const { namedOrganization, submission } = read;
  let organizationId = user.organizationId;
  if (organizationId === null) {
    if (namedOrganization === undefined) throw REPLIES.organizationMissing();
    organizationId = namedOrganization;
  } else if (namedOrganization !== undefined && namedOrganization !== organizationId) {
    throw REPLIES.organizationMismatch();
  }
  try {
    const { message: record, created } = await deps.accept(organizationId, submission);
    deps.metrics.smtpMessages.inc({ outcome: created ? 'accepted' : 'duplicate' });
    deps.logger.info({ messageId: record.id, organizationId, created, source: 'smtp' }, created ? 'message submitted over SMTP' : 'Message-ID already submitted: named the earlier message');
    return queuedReply(record.id);
  } catch (error) {
    if (error instanceof AppError && error.code === 'organization_not_found') throw REPLIES.organizationNotFound();
    if (error instanceof AppError && error.code === 'message_too_large') throw REPLIES.tooLarge(deps.sizeLimit);
    throw error;
  }
}

export function createSubmissionServer(deps: SubmissionHandlerDeps, options: SubmissionServerOptions): SMTPServer {
  const { logger, metrics } = deps;
  const settings: SMTPServerOptions = {
    secure: options.secure,
    ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
    // Without a certificate there is nothing to upgrade to (insecure AUTH allowed explicitly).
    hideSTARTTLS: options.tls === undefined,
    allowInsecureAuth: options.allowInsecureAuth,
    authMethods: ['PLAIN', 'LOGIN'],
    banner: 'Relais SMTP submission',
    size: deps.sizeLimit,
    rejectOversized: true,
    maxRecipients: MAX_RECIPIENTS,
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    maxClients: 200,
    // At shutdown, connections still open after this get 421 (a client without its 250 sends
    // again; a message already committed is then named by its Message-ID, not sent twice).
    closeTimeout: 5_000,
    logger: false,
    onConnect(session, callback) {
      metrics.smtpSessions.inc();
      // AUTH is not even offered before TLS: a client never sends its key in clear by mistake.
      if (!session.secure && !options.allowInsecureAuth) session.disabledCommands = ['AUTH'];
      callback();
    },
    onSecure(_socket, session, callback) {
      session.disabledCommands = [];
      callback();
    },
    onAuth(auth, session, callback) {
      const credentials = { username: auth.username ?? '', password: auth.password ?? '', remoteAddress: session.remoteAddress };
      signIn(deps, credentials).then(
        (user) => (user instanceof SmtpReply ? callback(user) : callback(null, { user: user as unknown as string })),
        (error: unknown) => {
          logger.error({ err: toError(error) }, 'SMTP submission sign-in failed');
          callback(REPLIES.notStored());
        },
      );
    },
    onMailFrom(address: SMTPServerAddress, session, callback) {
      // smtp-server asks for AUTH first only while AUTH is offered: without TLS it is not.
      if (!session.user) return callback(REPLIES.authRequired(options.tls !== undefined));
      callback(FORBIDDEN_IN_ADDRESS.test(address.address) ? REPLIES.badSender() : null);
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const ok = !FORBIDDEN_IN_ADDRESS.test(address.address) && isValidAddress(address.address);
      callback(ok ? null : REPLIES.badRecipient());
    },
    onData(stream, session, callback) {
      const recipients = session.envelope.rcptTo.map((r) => r.address);
      readAll(stream)
        .then(async (message) => {
          if (!message) {
            metrics.smtpMessages.inc({ outcome: 'refused' });
            return callback(null);
          }
          const reply = await submit(deps, userOf(session), message, recipients);
          callback(null, reply);
        })
        .catch((error: unknown) => {
          if (error instanceof SmtpReply) {
            metrics.smtpMessages.inc({ outcome: 'refused' });
            return callback(error);
          }
          metrics.smtpMessages.inc({ outcome: 'error' });
          logger.error({ err: toError(error) }, 'SMTP submission: message not stored');
          callback(REPLIES.notStored());
        });
    },
  };
  const server = new SubmissionSmtpServer(settings);
  server.on('error', (error) => logger.warn({ err: toError(error) }, 'SMTP submission connection error'));
  return server;
}

/**
 * smtp-server writes enhanced status codes from a table of its own (2.6.0 after DATA); the
 * replies Relais writes carry theirs (`250 2.0.0 Ok: queued as …`, `535 5.7.8 …`), so a reply
 * text that starts with one is sent as it is.
 */
class SubmissionSmtpServer extends SMTPServer {
  override connect(...args: Parameters<SMTPServer['connect']>): void {
    super.connect(...args);
    const connection = [...this.connections].at(-1);
    if (!connection) return;
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) => send(code, data, typeof data === 'string' && hasEnhancedCode(data) ? false : context);
  }
}
