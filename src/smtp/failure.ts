/**
 * SMTP failures — what Relais knows of one failed step of an SMTP session.
 *
 * stage         The step of the session that failed, in order: `dns` (resolving the host),
 *               `connect` (TCP), `greeting` (the server's 220 banner), `tls` (implicit TLS
 *               or STARTTLS, certificate included), `ehlo`, `auth`, `mail` (MAIL FROM: the
 *               sender), `rcpt` (RCPT TO: one recipient), `data` (the DATA command itself)
 *               and `message` (the server's final reply once the content was sent).
 * reply         A server's answer: a three-digit code, an optional enhanced status code
 *               (RFC 3463, `5.7.8`) and free text.
 * network       A failure with no reply at all (refused, timed out, reset, certificate…),
 *               named by a stable kind rather than by the Node or OpenSSL error code.
 *
 * The failure is the input of the reply classification table (reply-classification.ts),
 * which decides retries and relay health, and of the explanation catalog shown to owners.
 */
import { REPLY_MAX_LENGTH, sanitizeReply } from './reply-sanitize.ts';
import { RELAY_TIMEOUT_CODE } from './transport.ts';

export type SmtpStage = 'dns' | 'connect' | 'greeting' | 'tls' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data' | 'message';

export type NetworkFailure =
  | 'ECONNREFUSED'
  | 'ETIMEDOUT'
  | 'ENOTFOUND'
  | 'ECONNRESET'
  | 'EPIPE'
  | 'CERT_INVALID'
  | 'CERT_EXPIRED'
  | 'CERT_HOSTNAME'
  | 'CERT_SELF_SIGNED'
  | 'TLS_HANDSHAKE'
  | 'GREETING_TIMEOUT'
  | 'WRONG_TLS_MODE'
  /** Unreachable host or network (no route): behaves like a timeout for the owner. */
  | 'EHOSTUNREACH'
  /** DNS gave no answer in time or failed temporarily (SERVFAIL, EAI_AGAIN). */
  | 'DNS_TEMPORARY'
  /** The server closed the connection without a reply (no final reply after DATA, for one). */
  | 'CONNECTION_CLOSED'
  /** The server went silent in the middle of a session. */
  | 'SOCKET_TIMEOUT'
  /** relay_timeout: the whole transaction outlasted its overall deadline (a server trickling its replies). */
  | 'RELAY_TIMEOUT'
  /** The peer answered, but not as an SMTP server (a web, IMAP or SSH service…). */
  | 'NOT_SMTP'
  /** Credentials were required but none are configured. */
  | 'NO_CREDENTIALS'
  /** An OAuth2 access token could not be obtained or refreshed. */
  | 'OAUTH2_TOKEN'
  /** The message is larger than the size the server announced in EHLO. */
  | 'MESSAGE_TOO_LARGE'
  /** The sender or a recipient address is not a valid address. */
  | 'INVALID_ADDRESS'
  | (string & {});

export interface SmtpFailure {
  stage: SmtpStage;
  /** The reply code, e.g. 535. */
  code?: number;
  /** The enhanced status code, e.g. '5.7.8'. */
  enhanced?: string;
  /**
   * The reply text without its code prefixes, or for a network failure the client's own
   * description (kept for logs; explanations only ever quote real SMTP replies).
   */
  text?: string;
  network?: NetworkFailure;
  /** The SASL mechanism of a refused AUTH, when it is not a password's (XOAUTH2). */
  mechanism?: string;
}

export interface SmtpReply {
  code: number | undefined;
  enhanced: string | undefined;
  text: string;
}

const REPLY_LINE = /^(\d{3})(?:[ -]|$)\s*(.*)$/;
const ENHANCED_PREFIX = /^([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)(.*)$/;

/**
 * Splits a reply, single or multi-line ("535-5.7.8 …\n535 5.7.8 …"), into its code,
 * enhanced status code and text. Continuation prefixes are dropped from the text, also
 * when the lines were already flattened into one ("… go to 535 5.7.8 https://…").
 */
export function parseSmtpReply(text: string): SmtpReply {
  const lines = text.split(/\r\n|\r|\n/).map((line) => line.trim()).filter((line) => line !== '');
  let code: number | undefined;
  let enhanced: string | undefined;
  const parts: string[] = [];
  for (const line of lines) {
    const reply = REPLY_LINE.exec(line);
    if (!reply) {
      parts.push(line);
      continue;
    }
    code ??= Number(reply[1]);
    let rest = reply[2] ?? '';
    const status = ENHANCED_PREFIX.exec(rest);
    if (status) {
      enhanced ??= status[1];
      rest = status[2] ?? '';
    }
    parts.push(rest);
  }
  let joined = parts.filter((part) => part !== '').join(' ');
  if (code !== undefined && enhanced !== undefined) {
    const repeated = new RegExp(`(^|\\s)${code}[ -]${enhanced.replace(/\./g, '\\.')}(?=\\s|$)`, 'g');
    joined = joined.replace(repeated, '$1');
  }
  return { code, enhanced, text: joined.replace(/\s+/g, ' ').trim() };
}

/** Where the failing connection was going, to tell an implicit TLS / STARTTLS mix-up. */
export interface ConnectionContext {
  port?: number;
  /** true when the connection used implicit TLS from the first byte. */
  secure?: boolean;
  /**
   * The step the caller knows it was in, used when the client only says the connection
   * broke (nodemailer reports those with the command `CONN` whatever the step).
   */
  stage?: SmtpStage;
}

/** The fields nodemailer (smtp-connection) and Node's socket and TLS errors carry. */
interface ClientError {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  timeoutType?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  /** Set by Relais's own sign-in (smtp/authenticator.ts, smtp/oauth/). */
  mechanism?: unknown;
  reason?: unknown;
}

/** Node and OpenSSL codes of the underlying socket or TLS error → network kind. */
const SYSTEM_CODES: Readonly<Record<string, NetworkFailure>> = {
  ECONNREFUSED: 'ECONNREFUSED',
  ETIMEDOUT: 'ETIMEDOUT',
  ECONNRESET: 'ECONNRESET',
  EPIPE: 'EPIPE',
  ECONNABORTED: 'ECONNRESET',
  EHOSTUNREACH: 'EHOSTUNREACH',
  ENETUNREACH: 'EHOSTUNREACH',
  EHOSTDOWN: 'EHOSTUNREACH',
  ENETDOWN: 'EHOSTUNREACH',
  ENOTFOUND: 'ENOTFOUND',
  ENODATA: 'ENOTFOUND',
  EAI_NODATA: 'ENOTFOUND',
  EAI_NONAME: 'ENOTFOUND',
  EAI_AGAIN: 'DNS_TEMPORARY',
  ETIMEOUT: 'DNS_TEMPORARY',
  ESERVFAIL: 'DNS_TEMPORARY',
  CERT_HAS_EXPIRED: 'CERT_EXPIRED',
  ERR_TLS_CERT_ALTNAME_INVALID: 'CERT_HOSTNAME',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'CERT_SELF_SIGNED',
  SELF_SIGNED_CERT_IN_CHAIN: 'CERT_SELF_SIGNED',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'CERT_INVALID',
  UNABLE_TO_GET_ISSUER_CERT: 'CERT_INVALID',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'CERT_INVALID',
  CERT_NOT_YET_VALID: 'CERT_INVALID',
  CERT_SIGNATURE_FAILURE: 'CERT_INVALID',
  CERT_UNTRUSTED: 'CERT_INVALID',
  CERT_REJECTED: 'CERT_INVALID',
  CERT_REVOKED: 'CERT_INVALID',
  CERT_CHAIN_TOO_LONG: 'CERT_INVALID',
  INVALID_CA: 'CERT_INVALID',
  INVALID_PURPOSE: 'CERT_INVALID',
  HOSTNAME_MISMATCH: 'CERT_HOSTNAME',
  // A TLS client reading a plaintext "220" banner, or the reverse: the modes are mixed up.
  ERR_SSL_WRONG_VERSION_NUMBER: 'WRONG_TLS_MODE',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'WRONG_TLS_MODE',
  ERR_SSL_HTTP_REQUEST: 'WRONG_TLS_MODE',
  ERR_SSL_UNKNOWN_PROTOCOL: 'WRONG_TLS_MODE',
  EPROTO: 'TLS_HANDSHAKE',
};

/**
 * For errors that lost their code on the way (nodemailer rewraps a failed STARTTLS upgrade
 * as "Error initiating TLS - <message>"), the OpenSSL and Node messages tell the same.
 */
const SYSTEM_MESSAGES: readonly [RegExp, NetworkFailure][] = [
  [/wrong version number|packet length too long|unknown protocol/i, 'WRONG_TLS_MODE'],
  [/certificate has expired/i, 'CERT_EXPIRED'],
  [/does not match certificate'?s altnames|hostname mismatch/i, 'CERT_HOSTNAME'],
  [/self[- ]signed certificate/i, 'CERT_SELF_SIGNED'],
  [/unable to (verify|get)|certificate (is not yet valid|signature failure|revoked|not trusted)/i, 'CERT_INVALID'],
];

/** nodemailer's `command` (the step in flight) → stage. */
function stageOfCommand(command: string, code: string): SmtpStage | undefined {
  const upper = command.toUpperCase();
  if (upper.startsWith('AUTH')) return 'auth';
  switch (upper) {
    case 'EHLO':
    case 'HELO':
    case 'LHLO':
      return 'ehlo';
    case 'STARTTLS':
      return 'tls';
    case 'MAIL FROM':
    case 'RSET':
      return 'mail';
    case 'RCPT TO':
      return 'rcpt';
    // nodemailer says DATA both for the DATA command (EENVELOPE) and the final reply (EMESSAGE)
    case 'DATA':
      return code === 'EMESSAGE' ? 'message' : 'data';
    default:
      return undefined;
  }
}

function asRecord(value: unknown): ClientError | undefined {
  return typeof value === 'object' && value !== null ? (value as ClientError) : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The Node/OpenSSL code behind a wrapped error: nodemailer keeps it as `originalCode`. */
function systemCodes(err: ClientError): string[] {
  const codes: string[] = [];
  const visit = (value: ClientError | undefined, depth: number) => {
    if (!value || depth > 3) return;
    for (const key of [value.originalCode, value.code]) {
      const code = asString(key);
      if (code) codes.push(code);
    }
    visit(asRecord(value.cause), depth + 1);
    // net.connect with several addresses fails with an AggregateError of each attempt
    if (Array.isArray(value.errors)) for (const inner of value.errors) visit(asRecord(inner), depth + 1);
  };
  visit(err, 0);
  return codes;
}

function networkOf(err: ClientError, message: string): NetworkFailure | undefined {
  const codes = systemCodes(err);
  for (const code of codes) {
    const known = SYSTEM_CODES[code];
    if (known) return known;
  }
  for (const [pattern, kind] of SYSTEM_MESSAGES) if (pattern.test(message)) return kind;
  if (codes.some((code) => /^ERR_(SSL|TLS)_/.test(code))) return 'TLS_HANDSHAKE';
  return undefined;
}

/** Which step a network failure belongs to when nodemailer does not say. */
function stageOfNetwork(network: NetworkFailure | undefined, fallback: SmtpStage): SmtpStage {
  switch (network) {
    case 'ENOTFOUND':
    case 'DNS_TEMPORARY':
      return 'dns';
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
      return 'connect';
    case 'GREETING_TIMEOUT':
      return 'greeting';
    case 'CERT_INVALID':
    case 'CERT_EXPIRED':
    case 'CERT_HOSTNAME':
    case 'CERT_SELF_SIGNED':
    case 'TLS_HANDSHAKE':
    case 'WRONG_TLS_MODE':
      return 'tls';
    default:
      return fallback;
  }
}

/**
 * Maps what nodemailer reports (its `code` such as EAUTH or ECONNECTION, `responseCode`,
 * `response`, `command`, and the underlying Node or OpenSSL code it keeps as
 * `originalCode`) to an SmtpFailure. Plain Node socket errors and anything else are
 * accepted too, so a caller can pass whatever it caught.
 */
export function fromNodemailerError(err: unknown, context: ConnectionContext = {}): SmtpFailure {
  const e = asRecord(err) ?? { message: typeof err === 'string' ? err : undefined };
  const code = asString(e.code) ?? '';
  const command = asString(e.command) ?? '';
  const message = asString(e.message) ?? '';
  const response = asString(e.response);
  const fallbackStage = context.stage ?? 'connect';
  const commandStage = stageOfCommand(command, code);

  // No access token: the token endpoint refused or was unreachable (smtp/oauth/token-provider.ts).
  const oauthReason = asString(e.reason);
  if ((code === 'EOAUTH2' || asString(e.originalCode) === 'EOAUTH2') && oauthReason) {
    return { stage: 'auth', network: 'OAUTH2_TOKEN', text: oauthReason };
  }

  if (response !== undefined) {
    const reply = parseSmtpReply(response);
    const responseCode = typeof e.responseCode === 'number' ? e.responseCode : reply.code;
    // A peer that answers "HTTP/1.1 400" or "* OK IMAP4" is not an SMTP server: its words
    // are not kept, so they can never be shown back (the host is the owner's choice).
    if (responseCode === undefined || responseCode < 200 || responseCode > 599) {
      return { stage: commandStage ?? 'greeting', network: 'NOT_SMTP' };
    }
    let stage = commandStage ?? (code === 'ETLS' ? 'tls' : fallbackStage);
    // An error reply to the banner itself (554 No SMTP service here).
    if (code === 'EPROTOCOL' && /Invalid greeting/i.test(message)) stage = 'greeting';
    const failure: SmtpFailure = { stage, code: responseCode, text: reply.text };
    if (reply.enhanced) failure.enhanced = reply.enhanced;
    if (code === 'ECONNECTION') failure.network = 'CONNECTION_CLOSED';
    const mechanism = asString(e.mechanism);
    if (mechanism === 'XOAUTH2' && stage === 'auth') failure.mechanism = mechanism;
    return failure;
  }

  // The client's own description (OpenSSL's ends with a newline), on one line for logs.
  const description = message.replace(/\s+/g, ' ').trim();
  const withText = (failure: SmtpFailure): SmtpFailure => (description ? { ...failure, text: description } : failure);

  switch (code) {
    case 'ENOAUTH':
      return withText({ stage: 'auth', network: 'NO_CREDENTIALS' });
    case 'EOAUTH2':
      return withText({ stage: 'auth', network: 'OAUTH2_TOKEN' });
    case 'EAUTH':
      if (/Missing credentials/i.test(message)) return withText({ stage: 'auth', network: 'NO_CREDENTIALS' });
      if (command.toUpperCase() === 'AUTH XOAUTH2') return withText({ stage: 'auth', network: 'OAUTH2_TOKEN' });
      return withText({ stage: 'auth' });
    case 'EENVELOPE':
      if (/Invalid sender/i.test(message)) return withText({ stage: 'mail', network: 'INVALID_ADDRESS' });
      if (/Invalid recipient|No recipients/i.test(message)) return withText({ stage: 'rcpt', network: 'INVALID_ADDRESS' });
      break;
    case 'EMESSAGE':
      if (/size larger than allowed/i.test(message)) return withText({ stage: 'mail', network: 'MESSAGE_TOO_LARGE' });
      break;
    case 'EREQUIRETLS':
      return withText({ stage: 'mail', network: 'TLS_HANDSHAKE' });
    case RELAY_TIMEOUT_CODE:
      return withText({ stage: commandStage ?? fallbackStage, network: 'RELAY_TIMEOUT' });
    case 'ETIMEDOUT':
      return withText(timeoutFailure(asString(e.timeoutType), context, commandStage ?? fallbackStage));
  }

  let network = networkOf(e, message);
  // nodemailer's EDNS keeps the resolver's code, which may also read ECONNREFUSED or ETIMEOUT
  if (code === 'EDNS') network = network === 'ENOTFOUND' ? 'ENOTFOUND' : 'DNS_TEMPORARY';
  if (code === 'ETLS' && network === undefined) network = 'TLS_HANDSHAKE';
  if (code === 'ECONNECTION' && network === undefined && /closed/i.test(message)) network = 'CONNECTION_CLOSED';
  const stage = code === 'EDNS' ? 'dns' : code === 'ETLS' ? 'tls' : (commandStage ?? stageOfNetwork(network, fallbackStage));
  return withText(network === undefined ? { stage } : { stage, network });
}

/** nodemailer reports every timeout as ETIMEDOUT; `timeoutType` tells which one. */
function timeoutFailure(timeoutType: string | undefined, context: ConnectionContext, stage: SmtpStage): SmtpFailure {
  switch (timeoutType) {
    case 'CONNECT_TIMEOUT':
      return { stage: 'connect', network: 'ETIMEDOUT' };
    case 'GREETING_TIMEOUT':
      // A plaintext client on the implicit TLS port waits for a banner the server will only
      // send once a TLS handshake it never gets has happened.
      return context.port === 465 && context.secure === false
        ? { stage: 'greeting', network: 'WRONG_TLS_MODE' }
        : { stage: 'greeting', network: 'GREETING_TIMEOUT' };
    case 'UPGRADE_TIMEOUT':
      return { stage: 'tls', network: 'TLS_HANDSHAKE' };
    case 'SOCKET_TIMEOUT':
      return { stage, network: 'SOCKET_TIMEOUT' };
    default:
      return { stage, network: 'ETIMEDOUT' };
  }
}

/** Line breaks and other controls: the reply is shown on one line. */
const CONTROLS = /[\p{Cc}]+/gu;
/** A long unbroken base64 run: an AUTH exchange token echoed back rather than words. */
const BASE64_RUN = /[A-Za-z0-9+/]{24,}={0,2}/g;

/**
 * The part of a server's reply Relais may show an owner: only a real SMTP reply (never the
 * banner of whatever else answered), on one line, cleaned by the shared reply sanitizer,
 * base64 tokens masked, at most `max` characters (REPLY_MAX_LENGTH by default).
 */
export function sanitizeServerText(failure: Pick<SmtpFailure, 'code' | 'enhanced' | 'text'>, max = REPLY_MAX_LENGTH): string | undefined {
  if (failure.code === undefined || failure.code < 200 || failure.code > 599) return undefined;
  const text = (failure.text ?? '')
    .slice(0, 4096)
    .replace(CONTROLS, ' ')
    .replace(BASE64_RUN, (run) => (/[0-9+/]/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run) ? '[…]' : run));
  return sanitizeReply([String(failure.code), failure.enhanced, text].filter((part) => part).join(' '), max);
}
