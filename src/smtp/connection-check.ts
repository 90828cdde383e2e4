/**
 * Connection check: opens ONE connection with exactly the options delivery uses
 * (`nodemailerOptions`: address guard, TLS rules, timeouts) and walks it step by step:
 *
 *   resolve    the address guard approves the host and gives the address to connect to;
 *   connect    TCP connection to that address;
 *   tls        implicit TLS (before the greeting) or STARTTLS (after EHLO), certificate
 *              checked against the host name;
 *   greeting   the server's 220 greeting and its EHLO reply;
 *   auth       authentication with the relay's credentials.
 *
 * Then it says QUIT; no message is sent. Relay verification uses it; the flight check builds
 * on it. Replies are sanitized (a non-SMTP service's banner is never echoed) and messages
 * never carry credentials.
 */
import net from 'node:net';
import type tls from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { AppError } from '../errors.ts';
import { nodemailerOptions } from './nodemailer-transport.ts';
import { sanitizeReply } from './reply-sanitize.ts';
import type { TransportSettings } from './transport.ts';

export type CheckStepName = 'resolve' | 'connect' | 'tls' | 'greeting' | 'auth';
export type CheckStepStatus = 'ok' | 'fail' | 'skipped';

export interface CheckStep {
  name: CheckStepName;
  status: CheckStepStatus;
  /** Milliseconds the step took; null when it ran inside another step's timing (TLS during the greeting). */
  ms: number | null;
  /** Short, safe detail: the address connected to, the TLS version, the sanitized reply. */
  detail?: string;
}

export interface CheckFailure {
  step: CheckStepName;
  /** Stable code: the address guard's codes, or smtp_connect_failed, smtp_connect_timeout, smtp_tls_failed, smtp_greeting_failed, smtp_auth_failed. */
  code: string;
  message: string;
  /** The server's sanitized reply, when it gave one. */
  reply: string | null;
  responseCode: number | null;
}

export interface ConnectionCheckResult {
  passed: boolean;
  steps: CheckStep[];
  failure: CheckFailure | null;
  tls: { protocol: string | null; cipher: string | null; authorized: boolean } | null;
}

interface SmtpClientError {
  code?: string;
  /** The underlying error's code when nodemailer replaced it with its own (ESOCKET…). */
  originalCode?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  message?: string;
}

/** `signal`: aborting it destroys the connection (a probe past its deadline). */
export async function checkConnection(settings: TransportSettings, now: () => number = Date.now, signal?: AbortSignal): Promise<ConnectionCheckResult> {
  const steps: CheckStep[] = [];
  const order: CheckStepName[] =
    settings.security === 'tls' ? ['resolve', 'connect', 'tls', 'greeting', 'auth'] : ['resolve', 'connect', 'greeting', 'tls', 'auth'];
  const finish = (failure: CheckFailure | null, tlsInfo: ConnectionCheckResult['tls'] = null): ConnectionCheckResult => {
    // Steps that never ran are listed as skipped, in their usual order.
    const byName = new Map(steps.map((s) => [s.name, s]));
    const all = order.map((name) => byName.get(name) ?? { name, status: 'skipped' as const, ms: null });
    return { passed: failure === null, steps: all, failure, tls: tlsInfo };
  };
  const options = nodemailerOptions(settings);
  const timeouts = { connection: options.connectionTimeout ?? 15_000 };

  // resolve
  let address = settings.host;
  if (settings.resolveAddress) {
    const started = now();
    try {
      address = await settings.resolveAddress();
    } catch (error) {
      steps.push({ name: 'resolve', status: 'fail', ms: now() - started });
      if (error instanceof AppError) return finish({ step: 'resolve', code: error.code, message: error.message, reply: null, responseCode: null });
      throw error;
    }
    steps.push({ name: 'resolve', status: 'ok', ms: now() - started, detail: address });
  }

  // connect
  let socket: net.Socket;
  {
    const started = now();
    try {
      socket = await openSocket(address, settings.port, timeouts.connection);
    } catch (error) {
      const timedOut = (error as SmtpClientError).code === 'ETIMEDOUT';
      steps.push({ name: 'connect', status: 'fail', ms: now() - started });
      return finish({
        step: 'connect',
        code: timedOut ? 'smtp_connect_timeout' : 'smtp_connect_failed',
        message: timedOut
          ? `No answer from ${settings.host} on port ${settings.port}: the port may be blocked by a firewall.`
          : `${settings.host} refused the connection on port ${settings.port} or could not be reached.`,
        reply: null,
        responseCode: null,
      });
    }
    steps.push({ name: 'connect', status: 'ok', ms: now() - started, detail: `${address}:${settings.port}` });
  }
  const abort = () => socket.destroy();
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort, { once: true });

  // tls + greeting (+ EHLO), inside nodemailer's connect()
  const { pool: _pool, maxConnections: _mc, maxMessages: _mm, getSocket: _gs, auth: _auth, ...connectionOptions } = options;
  const connection = new SMTPConnection({ ...(connectionOptions as SMTPConnection.Options), connection: socket });
  // nodemailer reports a failed handshake through 'error' (or just 'end'), not through the
  // connect callback; errors after the outcome is known (a late reset) are ignored.
  let failed: (error: SmtpClientError) => void = () => undefined;
  connection.on('error', (error) => failed(error));
  connection.on('end', () => failed({ code: 'ECONNECTION', message: 'Connection closed' }));
  const step = <T>(run: (done: (err?: SmtpClientError | null, value?: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      failed = (error) => {
        failed = () => undefined;
        reject(error);
      };
      run((err, value) => {
        failed = () => undefined;
        if (err) reject(err);
        else resolve(value as T);
      });
    });
  try {
    const started = now();
    try {
      await step<void>((done) => connection.connect((err) => done(err)));
    } catch (error) {
      const e = error as SmtpClientError;
      // A handshake failure surfaces as ETLS, a failed STARTTLS command, or a socket error
      // while nodemailer is upgrading (certificate errors keep their own code in originalCode).
      const tlsFailed =
        e.code === 'ETLS' || e.command === 'STARTTLS' || (connection as unknown as { upgrading?: boolean }).upgrading === true || isTlsErrorCode(e.originalCode);
      const reply = sanitizeReply(e.response) ?? null;
      if (tlsFailed) {
        if (settings.security !== 'tls') steps.push({ name: 'greeting', status: 'ok', ms: now() - started });
        steps.push({ name: 'tls', status: 'fail', ms: null, ...(reply ? { detail: reply } : {}) });
        return finish({
          step: 'tls',
          code: 'smtp_tls_failed',
          message: tlsMessage(settings, e),
          reply,
          responseCode: e.responseCode ?? null,
        });
      }
      if (settings.security === 'tls') steps.push({ name: 'tls', status: 'ok', ms: null });
      steps.push({ name: 'greeting', status: 'fail', ms: now() - started, ...(reply ? { detail: reply } : {}) });
      return finish({
        step: 'greeting',
        code: 'smtp_greeting_failed',
        message:
          e.code === 'ETIMEDOUT'
            ? `${settings.host} accepted the connection but did not greet as an SMTP server in time.`
            : `${settings.host} did not answer as an SMTP server.`,
        reply,
        responseCode: e.responseCode ?? null,
      });
    }
    const greetingMs = now() - started;
    const tlsInfo = describeTls(connection);
    const greeting: CheckStep = { name: 'greeting', status: 'ok', ms: greetingMs };
    const tlsStep: CheckStep = tlsInfo
      ? { name: 'tls', status: 'ok', ms: null, ...(tlsInfo.protocol ? { detail: tlsInfo.protocol } : {}) }
      : { name: 'tls', status: 'skipped', ms: null, detail: 'not offered' };
    steps.push(...(settings.security === 'tls' ? [tlsStep, greeting] : [greeting, tlsStep]));

    // auth
    if (settings.auth) {
      const authStarted = now();
      try {
        const credentials = { user: settings.auth.user, pass: settings.auth.pass };
        await step<void>((done) => connection.login(credentials, (err) => done(err)));
      } catch (error) {
        const e = error as SmtpClientError;
        const reply = sanitizeReply(e.response) ?? null;
        steps.push({ name: 'auth', status: 'fail', ms: now() - authStarted, ...(reply ? { detail: reply } : {}) });
        return finish(
          {
            step: 'auth',
            code: 'smtp_auth_failed',
            message:
              e.code === 'ENOAUTH' || (e.code === 'EAUTH' && !e.responseCode)
                ? `${settings.host} does not offer authentication on this connection.`
                : `${settings.host} refused the user name or password.`,
            reply,
            responseCode: e.responseCode ?? null,
          },
          tlsInfo,
        );
      }
      steps.push({ name: 'auth', status: 'ok', ms: now() - authStarted });
    }
    return finish(null, tlsInfo);
  } finally {
    try {
      connection.quit();
    } catch {
      // Already closed.
    }
    connection.close();
    socket.destroy();
    signal?.removeEventListener('abort', abort);
  }
}

function openSocket(address: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function describeTls(connection: SMTPConnection): ConnectionCheckResult['tls'] {
  if (!connection.secure) return null;
  const socket = connection._socket as tls.TLSSocket;
  return {
    protocol: typeof socket.getProtocol === 'function' ? socket.getProtocol() : null,
    cipher: typeof socket.getCipher === 'function' ? (socket.getCipher()?.name ?? null) : null,
    authorized: socket.authorized === true,
  };
}

/** Node's certificate and handshake error codes. */
function isTlsErrorCode(code: string | undefined): boolean {
  return !!code && /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH)/.test(code);
}

function tlsMessage(settings: TransportSettings, e: SmtpClientError): string {
  const text = `${e.originalCode ?? ''} ${e.message ?? ''}`;
  if (/certificate has expired|CERT_HAS_EXPIRED/i.test(text)) return `The certificate of ${settings.host} has expired.`;
  if (/altnames|ALTNAME|HOSTNAME_MISMATCH|is not in the cert/i.test(text)) return `The certificate of ${settings.host} was issued for another host name.`;
  if (/self[- ]signed|unable to (get|verify)|UNABLE_TO_VERIFY|unknown ca/i.test(text)) {
    return `The certificate of ${settings.host} is not issued by a trusted authority.`;
  }
  if (settings.security === 'starttls' && /STARTTLS/i.test(text)) return `${settings.host} does not offer STARTTLS on port ${settings.port}.`;
  return `The TLS negotiation with ${settings.host} failed.`;
}
