// The SMTP port: what the outbox needs of an SMTP client. The nodemailer adapter satisfies it.
import type { SmtpAuthenticator } from './authenticator.ts';

export interface Envelope {
  from: string;
  to: string[];
}

export interface SendResult {
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused, with its reply for each. */
  rejected: { address: string; reply: string }[];
  /** The server's final reply to the message, e.g. "250 2.0.0 Ok: queued as 4Xyz". */
  reply: string;
}

export interface SmtpTransport {
  send(envelope: Envelope, raw: Buffer): Promise<SendResult>;
  /** Closes pooled connections once in-flight sends are done. */
  close(): Promise<void>;
}

/** Where and how to connect; a relay's settings or the platform sender's. */
export interface TransportSettings {
  host: string;
  port: number;
  /** 'tls' = implicit TLS (465), 'starttls' = upgrade required, 'none' = plain (opportunistic STARTTLS off). */
  security: 'tls' | 'starttls' | 'none';
  /** With 'none': still upgrade with STARTTLS when the server offers it (the operator's own sender). */
  opportunisticTls?: boolean;
  auth?: { user: string; pass: string };
  /** Signs in another way than `auth`'s password (takes precedence); see authenticator.ts. */
  authenticator?: SmtpAuthenticator;
  /** Accept a certificate that does not chain to a trusted authority. Off unless an owner turns it on. */
  allowSelfSigned?: boolean;
  /** Extra trusted certificate authorities (PEM), e.g. a private CA in tests. */
  ca?: string[];
  maxConnections?: number;
  /** Per-stage timeouts in milliseconds. */
  timeouts?: { connection?: number; greeting?: number; socket?: number };
  /**
   * Overall deadline of one send in milliseconds, from the moment it is handed over (waiting
   * for a pooled connection, connecting, greeting, TLS, sign-in, envelope, content) to the
   * final reply, whatever the idle timeouts say. On expiry the connection carrying the send
   * is destroyed and the send fails with RELAY_TIMEOUT_CODE.
   */
  deadlineMs?: number;
  /**
   * Resolves and checks the address to connect to, at every new connection; the TLS
   * certificate is still checked against `host`. Absent for the operator's own sender.
   */
  resolveAddress?: () => Promise<string>;
}

/** Error code of a send or a probe cut off by its overall deadline (`deadlineMs`). */
export const RELAY_TIMEOUT_CODE = 'ERELAYTIMEOUT' as const;

/** The error a transaction cut off by its overall deadline fails with. */
export function relayTimeoutError(deadlineMs: number): Error & { code: string } {
  return Object.assign(new Error(`The relay did not complete the transaction within ${deadlineMs / 1000} s`), { code: RELAY_TIMEOUT_CODE });
}
