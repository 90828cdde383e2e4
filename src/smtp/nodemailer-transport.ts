// SmtpTransport over nodemailer's pooled SMTP transport.
import net from 'node:net';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { nodemailerAuth, passwordAuthenticator } from './authenticator.ts';
import { relayTimeoutError, type Envelope, type SendResult, type SmtpTransport, type TransportSettings } from './transport.ts';

const DEFAULT_TIMEOUTS = { connection: 15_000, greeting: 15_000, socket: 60_000 };

/**
 * The platform sender from RELAIS_PLATFORM_SMTP_URL. `smtps://` is implicit TLS. `smtp://`
 * requires STARTTLS when it carries credentials (so nobody on the path can strip the upgrade
 * and read them) or with `?starttls=required`; without credentials it upgrades whenever the
 * server offers to. `?starttls=never` speaks plain text, on the operator's explicit word.
 */
export function parseSmtpUrl(url: string): TransportSettings {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const starttls = u.searchParams.get('starttls');
  const required = starttls === 'required' || (starttls !== 'never' && u.username !== '');
  const settings: TransportSettings = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    security: secure ? 'tls' : required ? 'starttls' : 'none',
    opportunisticTls: !secure && starttls !== 'never',
  };
  if (u.username) settings.auth = { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
  return settings;
}

/**
 * nodemailer options for a relay or the platform sender. Delivery pools and the connection
 * check both build their connections from here, so a check exercises exactly what delivery
 * will do (same TLS rules, same address guard, same timeouts).
 */
export function nodemailerOptions(settings: TransportSettings): SMTPPool.Options {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...settings.timeouts };
  const authenticator = settings.authenticator ?? (settings.auth ? passwordAuthenticator(settings.auth) : undefined);
  const options: SMTPPool.Options = {
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    // A relay set to 'none' speaks plain text, exactly as its flight check did; the platform
    // sender given as smtp:// without credentials upgrades with STARTTLS whenever offered.
    ignoreTLS: settings.security === 'none' && !settings.opportunisticTls,
    maxConnections: settings.maxConnections ?? 5,
    maxMessages: 100,
    connectionTimeout: timeouts.connection,
    greetingTimeout: timeouts.greeting,
    socketTimeout: timeouts.socket,
    tls: {
      servername: net.isIP(settings.host) ? undefined : settings.host,
      rejectUnauthorized: !settings.allowSelfSigned,
      ...(settings.ca ? { ca: settings.ca } : {}),
      minVersion: 'TLSv1.2',
    },
    // Signs in with the same code as the flight check (smtp/authenticator.ts).
    ...(authenticator ? nodemailerAuth(authenticator) : {}),
    logger: false,
    debug: false,
  };
  if (settings.resolveAddress) {
    const resolve = settings.resolveAddress;
    // Connect to the address the guard approved (checked again at every connection), while
    // SNI and certificate checks keep using the host name.
    options.getSocket = (_opts, callback) => {
      resolve().then(
        (address) => connectTo(address, settings.port, timeouts.connection, callback),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    };
  }
  return options;
}

/**
 * Opens the TCP connection for `getSocket`. nodemailer's connection timeout only starts once
 * it has the socket, so this one carries its own: a silently dropped SYN must not hold a
 * sending slot for the operating system's two minutes.
 */
function connectTo(
  address: string,
  port: number,
  timeoutMs: number,
  callback: (error: Error | null, socketOptions?: { connection: net.Socket }) => void,
): void {
  const socket = net.connect({ host: address, port });
  const timer = setTimeout(() => {
    socket.destroy();
    callback(Object.assign(new Error(`Connection to ${address}:${port} timed out`), { code: 'ETIMEDOUT' }));
  }, timeoutMs);
  const onError = (error: Error) => {
    clearTimeout(timer);
    callback(Object.assign(error, { code: 'ECONNECTION' }));
  };
  socket.once('error', onError);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.off('error', onError);
    callback(null, { connection: socket });
  });
}

export function createNodemailerTransport(settings: TransportSettings): SmtpTransport {
  // With a deadline, a connection given up on is destroyed at once rather than left to close
  // politely (a server that trickles its replies would keep it a while).
  const options: SMTPPool.Options = settings.deadlineMs === undefined ? nodemailerOptions(settings) : { ...nodemailerOptions(settings), ...{ socketCloseTimeout: 0 } };
  const transporter = nodemailer.createTransport(options);
  const { deadlineMs } = settings;
  return {
    async send(envelope: Envelope, raw: Buffer): Promise<SendResult> {
      // The pool fails a send whose signal aborts and closes the connection carrying it, so
      // the other connections of the pool go on and no dead connection is left in it.
      const deadline = deadlineMs === undefined ? undefined : new AbortController();
      const timer = deadline ? setTimeout(() => deadline.abort(relayTimeoutError(deadlineMs ?? 0)), deadlineMs) : undefined;
      let info: SMTPPool.SentMessageInfo;
      try {
        const mail: Mail.Options & { signal?: AbortSignal } = { envelope: { from: envelope.from, to: envelope.to }, raw };
        if (deadline) mail.signal = deadline.signal;
        info = await transporter.sendMail(mail);
      } catch (error) {
        if (deadline?.signal.aborted) throw deadline.signal.reason;
        throw error;
      } finally {
        clearTimeout(timer);
      }
      const rejectedErrors = (info as { rejectedErrors?: { recipient?: string; response?: string }[] }).rejectedErrors ?? [];
      return {
        accepted: (info.accepted as (string | { address: string })[]).map((a) => (typeof a === 'string' ? a : a.address)),
        rejected: (info.rejected as (string | { address: string })[]).map((a) => {
          const address = typeof a === 'string' ? a : a.address;
          const reply = rejectedErrors.find((e) => e.recipient === address)?.response ?? 'rejected';
          return { address, reply };
        }),
        reply: info.response,
      };
    },
    async close() {
      transporter.close();
    },
  };
}
