// SmtpTransport over nodemailer's pooled SMTP transport.
import net from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Envelope, SendResult, SmtpTransport, TransportSettings } from './transport.ts';

const DEFAULT_TIMEOUTS = { connection: 15_000, greeting: 15_000, socket: 60_000 };

export function parseSmtpUrl(url: string): TransportSettings {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const settings: TransportSettings = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    security: secure ? 'tls' : u.searchParams.get('starttls') === 'required' ? 'starttls' : 'none',
  };
  if (u.username) settings.auth = { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
  return settings;
}

export function createNodemailerTransport(settings: TransportSettings): SmtpTransport {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...settings.timeouts };
  const options: SMTPPool.Options = {
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    // 'none' means no TLS at all only for operator-approved plain relays; otherwise STARTTLS is used when offered.
    ignoreTLS: false,
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
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
    logger: false,
    debug: false,
  };
  if (settings.resolveAddress) {
    const resolve = settings.resolveAddress;
    // Connect to the address the guard approved (checked again at every connection), while
    // SNI and certificate checks keep using the host name.
    options.getSocket = (_opts, callback) => {
      resolve().then(
        (address) => {
          const socket = net.connect({ host: address, port: settings.port });
          const onError = (error: Error) => callback(error);
          socket.once('error', onError);
          socket.once('connect', () => {
            socket.off('error', onError);
            callback(null, { connection: socket });
          });
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    };
  }
  const transporter = nodemailer.createTransport(options);
  return {
    async send(envelope: Envelope, raw: Buffer): Promise<SendResult> {
      const info: SMTPPool.SentMessageInfo = await transporter.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw });
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
