// A real SMTP relay for tests (smtp-server on loopback): captures and parses what it
// accepts, and answers with exactly the replies a test scripts, so Relais is exercised
// against the failures real providers produce (bad credentials, unknown recipients,
// temporary errors, silent or dropped connections, bad certificates).
import type net from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerAuthenticationResponse, SMTPServerError, SMTPServerSession } from 'smtp-server';
import { ScriptRunner } from './smtp-script.ts';
import type { Script, ScriptedReply, SmtpReply } from './smtp-script.ts';
import { TEST_CERTS } from './tls.ts';
import type { TestCertName } from './tls.ts';

export type { Script, ScriptedReply, SmtpReply, StageScript, ScriptStage, ConnectInput, AuthInput } from './smtp-script.ts';
export { startNonSmtpServer, SSH_BANNER, HTTP_BAD_REQUEST } from './non-smtp-server.ts';
export type { NonSmtpServer, NonSmtpServerOptions } from './non-smtp-server.ts';

export type FixtureSecurity = 'none' | 'starttls' | 'starttls-required' | 'tls';

export interface FixtureOptions {
  /** Default '127.0.0.1'. Tests use distinct loopback addresses (127.0.0.2…30) so each fixture can sit on a standard port. */
  host?: string;
  /** Default 0 (random); 587, 465, 2525 and 25 work too (tests run as root). */
  port?: number;
  /**
   * none: no TLS offered. starttls: STARTTLS offered, optional (AUTH and MAIL allowed in clear).
   * starttls-required: AUTH and MAIL before STARTTLS get `530 5.7.0 Must issue a STARTTLS command first`.
   * tls: implicit TLS (smtps). Default 'starttls'.
   */
  security?: FixtureSecurity;
  /** Certificate presented for STARTTLS / implicit TLS; default 'relay' (trusted through TEST_CA). */
  cert?: TestCertName;
  /** When set, AUTH PLAIN/LOGIN with these credentials is required before MAIL. */
  auth?: { username: string; password: string } | null;
  /** Host name in the greeting and EHLO reply; default 'relay.test'. */
  hostname?: string;
  /** Text appended to the greeting: `220 <hostname> ESMTP <banner>`. */
  banner?: string;
  /**
   * Advertised SIZE. Larger messages are refused with smtp-server's own wording:
   * `552 Error: message exceeds fixed maximum message size <size>` (at MAIL when the client
   * declares SIZE=, else after DATA); they are not captured.
   */
  size?: number;
  script?: Script;
  /**
   * When set, AUTH XOAUTH2 is offered (and sign-in required before MAIL): each bearer token is
   * judged by this function, normally the token server's `verifyXOAuth2`.
   */
  xoauth2?: (user: string, token: string) => XOAuth2Verdict;
}

/**
 * A fixture's answer to AUTH XOAUTH2: signed in; Gmail's refusal (a 334 challenge carrying
 * a base64 JSON error, then 535 once the client answers); or a plain refusal reply.
 */
export type XOAuth2Verdict = { ok: true } | { gmailError: { status: string; schemes: string; scope: string } } | { refuse: SmtpReply };

export interface CapturedMessage {
  envelope: { from: string; to: string[] };
  /** The message as transmitted (after dot-unstuffing). */
  raw: string;
  parsed: ParsedMail;
  authUser?: string;
  /** Whether the session was over TLS (implicit or STARTTLS). */
  secure: boolean;
  receivedAt: number;
}

/** What the fixture answered to one command: a reply code, or how it misbehaved. */
export type SessionOutcome = number | 'hang' | 'drop';

export interface SessionEvent {
  command: 'CONNECT' | 'AUTH' | 'MAIL' | 'RCPT' | 'DATA';
  /** Address for MAIL/RCPT, username for AUTH. */
  argument?: string;
  outcome: SessionOutcome;
}

export interface SessionRecord {
  id: string;
  remoteAddress: string;
  /** Becomes true once the session is over TLS. */
  secure: boolean;
  events: SessionEvent[];
}

export interface SmtpFixture {
  host: string;
  port: number;
  /** smtp://user:pass@host:port (smtps:// for implicit TLS), credentials only when auth is set. */
  url: string;
  /** Accepted messages, fully received and parsed, in arrival order. */
  readonly messages: CapturedMessage[];
  /** Resolves with the captured messages once at least n arrived; rejects after timeoutMs (default 5000). */
  waitForMessages(n: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  /** TCP connections accepted so far (including ones that never got a greeting). */
  readonly connections: number;
  readonly authAttempts: { username: string; ok: boolean }[];
  /** One record per SMTP session, with the MAIL/RCPT/DATA/AUTH it saw and what it answered. */
  readonly sessions: SessionRecord[];
  /** Server-side errors (failed TLS handshakes, client resets), for diagnosing a test. */
  readonly errors: Error[];
  /** Replaces the script (and restarts its queues), e.g. between two steps of a test. */
  setScript(script: Script): void;
  close(): Promise<void>;
}

const STARTTLS_FIRST: SmtpReply = { code: 530, text: '5.7.0 Must issue a STARTTLS command first' };
const AUTH_REQUIRED: SmtpReply = { code: 530, text: '5.7.0 Authentication required' };
const BAD_CREDENTIALS: SmtpReply = { code: 535, text: '5.7.8 Authentication credentials invalid' };

function replyError({ code, text }: SmtpReply): SMTPServerError {
  return Object.assign(new Error(text), { responseCode: code });
}

interface Waiter {
  n: number;
  resolve: (messages: CapturedMessage[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export async function startSmtpFixture(options: FixtureOptions = {}): Promise<SmtpFixture> {
  const host = options.host ?? '127.0.0.1';
  const security = options.security ?? 'starttls';
  const credentials = options.auth ?? null;
  const script = new ScriptRunner(options.script);
  const tlsFiles = TEST_CERTS[options.cert ?? 'relay'];

  const messages: CapturedMessage[] = [];
  const authAttempts: { username: string; ok: boolean }[] = [];
  const sessions = new Map<string, SessionRecord>();
  const errors: Error[] = [];
  const waiters = new Set<Waiter>();
  let connections = 0;
  let closed = false;

  const record = (session: SMTPServerSession, event: SessionEvent): void => {
    sessions.get(session.id)?.events.push(event);
  };

  const settleWaiters = (): void => {
    for (const waiter of waiters) {
      if (messages.length < waiter.n) continue;
      waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve([...messages]);
    }
  };

  // Destroying the socket under the session (the TLS socket once upgraded) makes the client
  // see the connection vanish without a reply.
  const drop = (session: SMTPServerSession): void => {
    for (const connection of server.connections) {
      if (connection.session.id === session.id) connection._socket.destroy();
    }
  };

  /**
   * Answers a handler callback from a scripted reply: failures exactly as scripted, 'hang'
   * by never calling back, 'drop' by cutting the connection. Returns false for 'accept'.
   */
  const applyScripted = (
    session: SMTPServerSession,
    event: Omit<SessionEvent, 'outcome'>,
    reply: ScriptedReply,
    fail: (reply: SmtpReply) => void,
  ): boolean => {
    if (reply === 'accept') return false;
    if (reply === 'hang' || reply === 'drop') {
      record(session, { ...event, outcome: reply });
      if (reply === 'drop') drop(session);
      return true;
    }
    record(session, { ...event, outcome: reply.code });
    fail(reply);
    return true;
  };

  const server = new SMTPServer({
    name: options.hostname ?? 'relay.test',
    banner: options.banner,
    secure: security === 'tls',
    key: tlsFiles.key,
    cert: tlsFiles.cert,
    size: options.size,
    rejectOversized: options.size !== undefined,
    authMethods: options.xoauth2 ? ['PLAIN', 'LOGIN', 'XOAUTH2'] : ['PLAIN', 'LOGIN'],
    // The fixture enforces authentication and STARTTLS itself (onAuth, onMailFrom) so that
    // it answers with the exact replies real relays give, not smtp-server's wording.
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: [...(security === 'none' || security === 'tls' ? ['STARTTLS'] : []), ...(credentials || options.xoauth2 ? [] : ['AUTH'])],
    disableReverseLookup: true,
    maxAllowedUnauthenticatedCommands: false,
    logger: false,

    onConnect(session, callback) {
      sessions.set(session.id, { id: session.id, remoteAddress: session.remoteAddress, secure: session.secure, events: [] });
      const event = { command: 'CONNECT' } as const;
      const handled = applyScripted(session, event, script.next('connect', { remoteAddress: session.remoteAddress }), (reply) =>
        callback(replyError(reply)),
      );
      if (handled) return;
      record(session, { ...event, outcome: 220 });
      callback();
    },

    onSecure(_socket, session, callback) {
      const entry = sessions.get(session.id);
      if (entry) entry.secure = true;
      callback();
    },

    onAuth(auth, session, callback) {
      const username = auth.username ?? '';
      const password = auth.password ?? '';
      const event = { command: 'AUTH', argument: username } as const;
      const refuse = (reply: SmtpReply): void => {
        authAttempts.push({ username, ok: false });
        const response: SMTPServerAuthenticationResponse = { responseCode: reply.code, message: reply.text };
        callback(null, response);
      };
      if (security === 'starttls-required' && !session.secure) {
        record(session, { ...event, outcome: STARTTLS_FIRST.code });
        return refuse(STARTTLS_FIRST);
      }
      if (applyScripted(session, event, script.next('auth', { username, password }), refuse)) return;
      if (auth.method === 'XOAUTH2' && options.xoauth2) {
        const verdict = options.xoauth2(username, auth.accessToken ?? '');
        if ('refuse' in verdict) {
          authAttempts.push({ username, ok: false });
          record(session, { ...event, outcome: verdict.refuse.code });
          return callback(replyError(verdict.refuse));
        }
        if ('gmailError' in verdict) {
          authAttempts.push({ username, ok: false });
          record(session, { ...event, outcome: 334 });
          return callback(null, { data: verdict.gmailError } as unknown as SMTPServerAuthenticationResponse);
        }
        authAttempts.push({ username, ok: true });
        record(session, { ...event, outcome: 235 });
        return callback(null, { user: username });
      }
      if (!credentials || username !== credentials.username || password !== credentials.password) {
        record(session, { ...event, outcome: BAD_CREDENTIALS.code });
        return refuse(BAD_CREDENTIALS);
      }
      authAttempts.push({ username, ok: true });
      record(session, { ...event, outcome: 235 });
      callback(null, { user: username });
    },

    onMailFrom(address, session, callback) {
      const event = { command: 'MAIL', argument: address.address } as const;
      const fail = (reply: SmtpReply): void => callback(replyError(reply));
      const required = security === 'starttls-required' && !session.secure ? STARTTLS_FIRST : (credentials || options.xoauth2) && !session.user ? AUTH_REQUIRED : null;
      if (required) {
        record(session, { ...event, outcome: required.code });
        return fail(required);
      }
      if (applyScripted(session, event, script.next('mail', address.address), fail)) return;
      record(session, { ...event, outcome: 250 });
      callback();
    },

    onRcptTo(address, session, callback) {
      const event = { command: 'RCPT', argument: address.address } as const;
      if (applyScripted(session, event, script.next('rcpt', address.address), (reply) => callback(replyError(reply)))) return;
      record(session, { ...event, outcome: 250 });
      callback();
    },

    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // The client vanished mid-message: nothing to capture, nothing to answer.
      stream.on('error', () => undefined);
      stream.on('end', () => {
        void (async () => {
          const event = { command: 'DATA' } as const;
          if (stream.sizeExceeded) {
            // rejectOversized makes smtp-server answer its own 552 whatever is passed here.
            record(session, { ...event, outcome: 552 });
            return callback(replyError({ code: 552, text: 'message too large' }));
          }
          const buffer = Buffer.concat(chunks);
          const { mailFrom, rcptTo } = session.envelope;
          const message: CapturedMessage = {
            envelope: { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((rcpt) => rcpt.address) },
            raw: buffer.toString('utf8'),
            parsed: await simpleParser(buffer),
            secure: session.secure,
            receivedAt: Date.now(),
          };
          if (typeof session.user === 'string') message.authUser = session.user;

          const reply = script.next('data', message);
          const fail = (failure: SmtpReply): void => callback(replyError(failure));
          if (reply !== 'accept' && (typeof reply === 'string' || reply.code !== 250)) {
            applyScripted(session, event, reply, fail);
            return;
          }
          // Captured before the client hears 250, so a test that awaited the send sees it.
          messages.push(message);
          settleWaiters();
          record(session, { ...event, outcome: 250 });
          callback(null, reply === 'accept' ? '2.0.0 Ok: queued' : reply.text);
        })().catch((error: unknown) => {
          errors.push(error instanceof Error ? error : new Error(String(error)));
          callback(replyError({ code: 451, text: '4.3.0 Fixture could not parse the message' }));
        });
      });
    },
  });

  server.on('error', (error) => errors.push(error));
  server.server.on('connection', () => {
    connections += 1;
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(new Error(`SMTP fixture cannot listen on ${host}:${options.port ?? 0}: ${error.message}`));
    server.server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as net.AddressInfo).port;

  const scheme = security === 'tls' ? 'smtps' : 'smtp';
  const authority = host.includes(':') ? `[${host}]` : host;
  const userinfo = credentials ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@` : '';

  return {
    host,
    port,
    url: `${scheme}://${userinfo}${authority}:${port}`,
    messages,
    get connections() {
      return connections;
    },
    authAttempts,
    get sessions() {
      return [...sessions.values()];
    },
    errors,

    waitForMessages(n, timeoutMs = 5000) {
      if (messages.length >= n) return Promise.resolve([...messages]);
      if (closed) return Promise.reject(new Error(`SMTP fixture ${host}:${port} is closed`));
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          n,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`SMTP fixture ${host}:${port}: expected ${n} message(s) within ${timeoutMs} ms, received ${messages.length}`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },

    setScript(next) {
      script.set(next);
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`SMTP fixture ${host}:${port} closed with ${messages.length} of ${waiter.n} message(s) received`));
      }
      waiters.clear();
      // Hung sessions would otherwise hold the server open for smtp-server's close grace
      // period. Only the topmost socket of a session is destroyed: tearing a raw socket out
      // from under a TLS handshake crashes Node. smtp-server's close() ends the sockets
      // still in an implicit TLS handshake the same way.
      for (const connection of server.connections) connection._socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
