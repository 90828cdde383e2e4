/**
 * The SMTP reply classification table: one ordered list of rules that turns a failure
 * (reply code, enhanced status code, stage, network error, reply text) into
 *
 *   class        temporary            → retry later (4xx replies, timeouts, dropped
 *                                        connections, quotas that reset);
 *                recipient-permanent  → this recipient fails for good (5.1.x, 5.2.x at RCPT);
 *                relay-config         → the relay is misconfigured (sign-in, send-as,
 *                                        relaying, TLS, unreachable host): the relay becomes
 *                                        `failing` and owners are told;
 *                message-rejected     → this message fails for good (size, content).
 *   explanation  the catalog entry an owner reads (explanations/catalog.ts);
 *   retry        present for temporary failures, with the least delay the server asked for.
 *
 * The first matching rule wins, so specific rules come before general ones. Every 4xx reply
 * is temporary (RFC 5321 §4.2.1): the 4xx rules only choose the explanation and the delay.
 */
import type { ExplanationId } from './explanations/catalog.ts';
import type { NetworkFailure, SmtpFailure, SmtpStage } from './failure.ts';
import { OAUTH_REPLY_RULES, OAUTH_TOKEN_RULES } from './oauth/oauth-rules.ts';

export type FailureClass = 'temporary' | 'recipient-permanent' | 'relay-config' | 'message-rejected';

export interface Classification {
  class: FailureClass;
  explanation: ExplanationId;
  /** Present exactly when the failure is temporary. */
  retry?: { minDelaySeconds?: number };
}

type OneOrMany<T> = T | readonly T[];
/** A reply code, a class of codes, or `none` for a failure without any reply. */
type CodeMatch = number | '2xx' | '3xx' | '4xx' | '5xx' | 'none';

export interface ReplyMatch {
  code?: OneOrMany<CodeMatch>;
  /** Exact ('5.7.8'), prefix ending with a dot ('5.1.'), or a pattern. */
  enhanced?: OneOrMany<string> | RegExp;
  stage?: OneOrMany<SmtpStage>;
  network?: OneOrMany<NetworkFailure>;
  /** Tested against the reply text (or the client's description of a network failure). */
  text?: RegExp;
  /** The SASL mechanism of a refused AUTH (XOAUTH2). */
  mechanism?: string;
}

export interface ReplyRule {
  /** Names the rule in tests and when reading the table. */
  name: string;
  when: ReplyMatch;
  then: Classification;
}

const temporary = (explanation: ExplanationId, minDelaySeconds?: number): Classification =>
  minDelaySeconds === undefined
    ? { class: 'temporary', explanation, retry: {} }
    : { class: 'temporary', explanation, retry: { minDelaySeconds } };
const relayConfig = (explanation: ExplanationId): Classification => ({ class: 'relay-config', explanation });
const recipientPermanent = (explanation: ExplanationId): Classification => ({ class: 'recipient-permanent', explanation });
const messageRejected = (explanation: ExplanationId): Classification => ({ class: 'message-rejected', explanation });

/** Providers throttle for minutes; retrying sooner only extends the block. */
const RATE_LIMIT_DELAY = 300;
/** Daily quotas reset over a rolling day: an hourly retry notices without hammering. */
const DAILY_QUOTA_DELAY = 3600;

const DAILY_QUOTA =
  /daily (user |message |recipient )?(sending )?(quota|limit)|daily SMTP relay limit|sending (quota|limit) (exceeded|reached)|SubmissionQuotaExceeded/i;
const RATE_LIMITED =
  /rate limit|too many (messages|mails|emails|connections|concurrent|login attempts|auth)|throttl|sending rate|slow down|RecipientThresholdExceeded/i;
const GOOGLE_SIGN_IN_BLOCKED = /Application-specific password|InvalidSecondFactor|WebLoginRequired|log in via your web browser/i;
const SEND_AS_DENIED =
  /SendAsDenied|not owned by user|Relaying disallowed as|Sender Identity|sender signature|Email address is not verified|\b(unauthori[sz]ed|unverified) sender\b|sender (address )?(is )?not (allowed|authori[sz]ed|verified|permitted)|not (allowed|authori[sz]ed|permitted) to send (as|from|on behalf)|is not allowed to send/i;
const RELAYING_DENIED =
  /relay(ing)? (access )?(is )?(denied|not permitted|not allowed|prohibited|refused|disallowed)|unable to relay|not permitted to relay|we do not relay|Invalid credentials for relay/i;
const AUTH_REQUIRED = /auth(entication)? required|not authenticated|must (authenticate|log ?in|be authenticated)/i;
const AUTH_NOT_SUPPORTED = /authentication not enabled|auth(entication)? (is )?not (available|supported|enabled|allowed)|Unrecognized authentication type/i;
const CLIENT_BLOCKED = /Client host rejected|blocked using|\bblock ?list(ed)?\b|\bblack ?list(ed)?\b|\bdnsbl\b|Spamhaus|SpamCop|banned sending IP/i;
const TOO_LARGE = /(message|mail) (size )?(exceeds|is too (big|large))|size (exceeds|limit)|too (big|large)|exceeded .*size|message length exceeds/i;
const RECIPIENT_UNKNOWN =
  /user unknown|unknown (user|recipient|mailbox)|no such (user|mailbox|recipient|address)|does(n[’']t| not) exist|mailbox unavailable|RecipientNotFound|address not found|invalid recipient/i;
const MAILBOX_FULL = /mailbox (is )?full|over ?quota|(mailbox|storage) quota exceeded|exceeded (the )?storage/i;

const CONNECTION_STAGES: readonly SmtpStage[] = ['dns', 'connect'];
const ENVELOPE_STAGES: readonly SmtpStage[] = ['greeting', 'ehlo', 'auth', 'mail', 'rcpt'];
const RECIPIENT_STAGES: readonly SmtpStage[] = ['rcpt', 'data', 'message'];
const CONTENT_STAGES: readonly SmtpStage[] = ['data', 'message'];

export const REPLY_RULES: readonly ReplyRule[] = [
  // ── 4xx: temporary whatever they say; the rules only pick the explanation and delay ──
  { name: 'daily quota (4xx)', when: { code: '4xx', text: DAILY_QUOTA }, then: temporary('daily-quota-exceeded', DAILY_QUOTA_DELAY) },
  { name: 'Gmail and Microsoft throttling', when: { code: '4xx', enhanced: /^4\.7\.(28|[56]\d\d)$/ }, then: temporary('rate-limited', RATE_LIMIT_DELAY) },
  { name: '421 4.7.0 try again later', when: { code: 421, enhanced: '4.7.0' }, then: temporary('rate-limited', RATE_LIMIT_DELAY) },
  { name: '450 4.7.1 slow down', when: { code: 450, enhanced: '4.7.1' }, then: temporary('rate-limited', RATE_LIMIT_DELAY) },
  { name: '4.3.2 not accepting messages now', when: { code: '4xx', enhanced: '4.3.2' }, then: temporary('rate-limited', RATE_LIMIT_DELAY) },
  { name: 'rate limited (4xx text)', when: { code: '4xx', text: RATE_LIMITED }, then: temporary('rate-limited', RATE_LIMIT_DELAY) },
  { name: 'mailbox full for now', when: { code: '4xx', enhanced: '4.2.2' }, then: temporary('mailbox-full') },
  { name: 'mailbox full for now (text)', when: { code: '4xx', stage: 'rcpt', text: MAILBOX_FULL }, then: temporary('mailbox-full') },
  { name: 'any 4xx', when: { code: '4xx' }, then: temporary('temporary-failure') },

  // ── 5xx replies, provider-specific first ──
  { name: 'daily quota 5.4.5', when: { code: '5xx', enhanced: '5.4.5' }, then: temporary('daily-quota-exceeded', DAILY_QUOTA_DELAY) },
  { name: 'daily quota (5xx text)', when: { code: '5xx', text: DAILY_QUOTA }, then: temporary('daily-quota-exceeded', DAILY_QUOTA_DELAY) },
  { name: 'Microsoft wrong credentials', when: { code: '5xx', enhanced: '5.7.139', text: /credentials were incorrect/i }, then: relayConfig('auth-failed') },
  { name: 'Microsoft SMTP AUTH off 5.7.139', when: { code: '5xx', enhanced: '5.7.139' }, then: relayConfig('microsoft-smtp-auth-disabled') },
  { name: 'Microsoft SMTP AUTH off (text)', when: { code: '5xx', text: /SmtpClientAuthentication is disabled/i }, then: relayConfig('microsoft-smtp-auth-disabled') },
  ...OAUTH_REPLY_RULES,
  { name: 'Microsoft 535 5.7.3', when: { code: 535, enhanced: '5.7.3' }, then: relayConfig('microsoft-smtp-auth-disabled') },
  { name: 'Microsoft 5.7.3 at AUTH', when: { code: '5xx', enhanced: '5.7.3', stage: 'auth' }, then: relayConfig('microsoft-smtp-auth-disabled') },
  { name: 'Microsoft basic auth retired', when: { code: '5xx', enhanced: '5.7.30' }, then: relayConfig('microsoft-basic-auth-retired') },
  { name: 'basic auth retired (text)', when: { code: '5xx', text: /Basic authentication is (not supported|disabled)/i }, then: relayConfig('microsoft-basic-auth-retired') },
  { name: 'Google sign-in blocked (text)', when: { code: '5xx', text: GOOGLE_SIGN_IN_BLOCKED }, then: relayConfig('gmail-app-password-required') },
  { name: 'Google web login required 5.7.14', when: { code: '5xx', enhanced: '5.7.14' }, then: relayConfig('gmail-app-password-required') },
  { name: 'Google 534 5.7.9', when: { code: 534, enhanced: '5.7.9' }, then: relayConfig('gmail-app-password-required') },
  { name: 'send-as denied 5.7.60', when: { code: '5xx', enhanced: '5.7.60' }, then: relayConfig('send-as-denied') },
  { name: 'send-as denied (text)', when: { code: '5xx', text: SEND_AS_DENIED }, then: relayConfig('send-as-denied') },
  { name: 'STARTTLS first', when: { code: '5xx', text: /STARTTLS|TLS (is )?required|encryption required/i }, then: relayConfig('starttls-required') },
  { name: '538 encryption required', when: { code: 538 }, then: relayConfig('starttls-required') },
  { name: 'encryption required 5.7.11', when: { code: '5xx', enhanced: '5.7.11' }, then: relayConfig('starttls-required') },
  { name: '530 authentication required', when: { code: 530 }, then: relayConfig('auth-required') },
  { name: 'Microsoft 5.7.57 not authenticated', when: { code: '5xx', enhanced: '5.7.57' }, then: relayConfig('auth-required') },
  { name: 'relaying denied 5.7.54 / 5.7.64', when: { code: '5xx', enhanced: ['5.7.54', '5.7.64'] }, then: relayConfig('relaying-denied') },
  { name: 'relaying denied (text)', when: { code: '5xx', text: RELAYING_DENIED }, then: relayConfig('relaying-denied') },
  { name: 'authentication required (text)', when: { code: '5xx', text: AUTH_REQUIRED }, then: relayConfig('auth-required') },
  { name: '535 credentials rejected', when: { code: 535 }, then: relayConfig('auth-failed') },
  { name: '5.7.8 credentials rejected', when: { code: '5xx', enhanced: '5.7.8' }, then: relayConfig('auth-failed') },
  { name: '534 authentication mechanism too weak', when: { code: 534 }, then: relayConfig('auth-failed') },
  { name: 'AUTH not offered (text)', when: { code: '5xx', text: AUTH_NOT_SUPPORTED }, then: relayConfig('auth-not-supported') },
  { name: 'AUTH command refused', when: { code: [500, 501, 502, 503, 504], stage: 'auth' }, then: relayConfig('auth-not-supported') },
  { name: 'client blocked (text)', when: { code: '5xx', stage: ENVELOPE_STAGES, text: CLIENT_BLOCKED }, then: relayConfig('client-not-allowed') },
  { name: 'session refused', when: { code: '5xx', stage: ['greeting', 'ehlo'] }, then: relayConfig('client-not-allowed') },
  { name: 'sender rejected (text)', when: { code: '5xx', text: /Sender address rejected/i }, then: relayConfig('sender-rejected') },
  { name: 'sender address codes', when: { code: '5xx', enhanced: ['5.1.7', '5.1.8'] }, then: relayConfig('sender-rejected') },

  // ── 5xx for one recipient or one message ──
  { name: 'mailbox full 5.2.2', when: { code: '5xx', enhanced: '5.2.2', stage: RECIPIENT_STAGES }, then: recipientPermanent('mailbox-full') },
  { name: 'too large 5.3.4 / 5.2.3', when: { code: '5xx', enhanced: ['5.3.4', '5.2.3'] }, then: messageRejected('message-too-large') },
  { name: 'too large (text)', when: { code: '5xx', text: TOO_LARGE }, then: messageRejected('message-too-large') },
  { name: 'recipient unknown 5.1.x', when: { code: '5xx', enhanced: '5.1.', stage: RECIPIENT_STAGES }, then: recipientPermanent('recipient-unknown') },
  { name: 'recipient mailbox 5.2.x', when: { code: '5xx', enhanced: '5.2.', stage: RECIPIENT_STAGES }, then: recipientPermanent('recipient-rejected') },
  { name: 'recipient unknown (text)', when: { code: '5xx', stage: 'rcpt', text: RECIPIENT_UNKNOWN }, then: recipientPermanent('recipient-unknown') },
  { name: 'mailbox full (text)', when: { code: '5xx', stage: 'rcpt', text: MAILBOX_FULL }, then: recipientPermanent('mailbox-full') },
  { name: 'content or policy 5.6.x / 5.7.x', when: { code: '5xx', enhanced: /^5\.[67]\./, stage: CONTENT_STAGES }, then: messageRejected('message-rejected') },
  { name: '552 storage exceeded', when: { code: 552, stage: ['mail', ...CONTENT_STAGES] }, then: messageRejected('message-too-large') },
  { name: 'any 5xx after DATA', when: { code: '5xx', stage: CONTENT_STAGES }, then: messageRejected('message-rejected') },
  { name: 'any 5xx at RCPT', when: { code: '5xx', stage: 'rcpt' }, then: recipientPermanent('recipient-rejected') },
  { name: 'any 5xx at AUTH', when: { code: '5xx', stage: 'auth' }, then: relayConfig('auth-failed') },
  { name: 'any 5xx at STARTTLS', when: { code: '5xx', stage: 'tls' }, then: relayConfig('tls-handshake-failed') },
  { name: 'any 5xx at MAIL FROM', when: { code: '5xx', stage: 'mail' }, then: relayConfig('sender-rejected') },
  { name: 'any other 5xx', when: { code: '5xx' }, then: relayConfig('unexpected-reply') },

  // ── no reply: network, TLS and client-side failures ──
  { name: 'not an SMTP server', when: { network: 'NOT_SMTP' }, then: relayConfig('not-smtp-server') },
  { name: 'no credentials', when: { network: 'NO_CREDENTIALS' }, then: relayConfig('auth-required') },
  ...OAUTH_TOKEN_RULES,
  { name: 'OAuth2 token refused', when: { network: 'OAUTH2_TOKEN' }, then: relayConfig('oauth-authorization-expired') },
  { name: 'larger than the announced SIZE', when: { network: 'MESSAGE_TOO_LARGE' }, then: messageRejected('message-too-large') },
  { name: 'invalid recipient address', when: { network: 'INVALID_ADDRESS', stage: 'rcpt' }, then: recipientPermanent('recipient-unknown') },
  { name: 'invalid sender address', when: { network: 'INVALID_ADDRESS' }, then: relayConfig('sender-rejected') },
  { name: 'implicit TLS / STARTTLS mixed up', when: { network: 'WRONG_TLS_MODE' }, then: relayConfig('tls-mode-mismatch') },
  { name: 'certificate expired', when: { network: 'CERT_EXPIRED' }, then: relayConfig('certificate-expired') },
  { name: 'certificate for another host', when: { network: 'CERT_HOSTNAME' }, then: relayConfig('certificate-hostname-mismatch') },
  { name: 'certificate untrusted', when: { network: ['CERT_SELF_SIGNED', 'CERT_INVALID'] }, then: relayConfig('certificate-untrusted') },
  { name: 'TLS handshake', when: { network: 'TLS_HANDSHAKE' }, then: relayConfig('tls-handshake-failed') },
  { name: 'connection refused', when: { network: 'ECONNREFUSED' }, then: relayConfig('connection-refused') },
  { name: 'host not found', when: { network: 'ENOTFOUND' }, then: relayConfig('host-not-found') },
  { name: 'DNS temporary failure', when: { network: 'DNS_TEMPORARY' }, then: temporary('temporary-failure') },
  { name: 'connection timeout', when: { network: ['ETIMEDOUT', 'EHOSTUNREACH'], stage: CONNECTION_STAGES }, then: temporary('connection-timeout') },
  { name: 'unreachable host', when: { network: 'EHOSTUNREACH' }, then: temporary('connection-timeout') },
  { name: 'greeting timeout', when: { network: 'GREETING_TIMEOUT' }, then: temporary('greeting-timeout') },
  // relay_timeout: the relay kept the transaction past its overall deadline; temporary, and
  // counted against the relay by relay health like a relay that cannot be reached.
  { name: 'relay_timeout', when: { network: 'RELAY_TIMEOUT' }, then: temporary('relay-timeout') },
  {
    name: 'connection dropped',
    when: { network: ['ECONNRESET', 'EPIPE', 'CONNECTION_CLOSED', 'SOCKET_TIMEOUT', 'ETIMEDOUT'] },
    then: temporary('connection-lost'),
  },
  { name: 'sign-in failed without reply', when: { code: 'none', stage: 'auth' }, then: relayConfig('auth-failed') },
  { name: 'no final reply after DATA', when: { code: 'none', stage: CONTENT_STAGES }, then: temporary('connection-lost') },
];

const FALLBACK: Classification = temporary('unexpected-reply');

function list<T>(value: OneOrMany<T>): readonly T[] {
  return Array.isArray(value) ? value : [value as T];
}

function codeMatches(match: CodeMatch, code: number | undefined): boolean {
  if (match === 'none') return code === undefined;
  if (code === undefined) return false;
  if (typeof match === 'number') return code === match;
  return Math.floor(code / 100) === Number(match[0]);
}

function enhancedMatches(match: OneOrMany<string> | RegExp, enhanced: string | undefined): boolean {
  if (enhanced === undefined) return false;
  if (match instanceof RegExp) return match.test(enhanced);
  return list(match).some((wanted) => (wanted.endsWith('.') ? enhanced.startsWith(wanted) : enhanced === wanted));
}

/** True when every condition of the rule holds. */
export function ruleMatches(when: ReplyMatch, failure: SmtpFailure): boolean {
  if (when.code !== undefined && !list(when.code).some((match) => codeMatches(match, failure.code))) return false;
  if (when.enhanced !== undefined && !enhancedMatches(when.enhanced, failure.enhanced)) return false;
  if (when.stage !== undefined && !list(when.stage).includes(failure.stage)) return false;
  if (when.network !== undefined && (failure.network === undefined || !list(when.network).includes(failure.network))) return false;
  if (when.text !== undefined && !when.text.test(failure.text ?? '')) return false;
  if (when.mechanism !== undefined && failure.mechanism !== when.mechanism) return false;
  return true;
}

/** The first rule of the table that matches, or undefined when only the fallback applies. */
export function matchRule(failure: SmtpFailure): ReplyRule | undefined {
  return REPLY_RULES.find((rule) => ruleMatches(rule.when, failure));
}

/**
 * Classifies a failure with the table. A temporary failure's retry carries the longest of
 * the rule's own delay and the server's "try again in N minutes".
 */
export function classify(failure: SmtpFailure): Classification {
  const { then } = matchRule(failure) ?? { then: FALLBACK };
  if (then.class !== 'temporary') return { class: then.class, explanation: then.explanation };
  const hint = failure.code === undefined ? undefined : retryAfterHint(failure.text ?? '');
  const delay = Math.max(then.retry?.minDelaySeconds ?? 0, hint ?? 0);
  return { class: 'temporary', explanation: then.explanation, retry: delay > 0 ? { minDelaySeconds: delay } : {} };
}

/** A server never gets to park a message for longer than a day with one reply. */
const MAX_HINT_SECONDS = 24 * 3600;
const HINTS: readonly RegExp[] = [
  // "Try again in 300 seconds", "try again after 15 minutes", "retry in 5 min", "wait 2h"
  /\b(?:try|retry|resend|wait)\b[\w ,]{0,24}?\b(?:in|after|for)?\s*(\d{1,6})\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b/i,
  // "Please try again later (600)": seconds
  /\btry again later\s*\(\s*(\d{1,6})\s*(seconds?|secs?|s)?\s*\)/i,
  // "Réessayez dans 5 minutes"
  /\br[ée]essay(?:ez|er)\b[\p{L} ,]{0,24}?\bdans\s+(\d{1,6})\s*(secondes?|s|minutes?|min|heures?|h)\b/iu,
];

/**
 * Reads a server's "try again in N seconds/minutes/hours" from a reply text and returns
 * the delay in seconds, at most a day; undefined when the reply names no delay.
 */
export function retryAfterHint(text: string): number | undefined {
  for (const pattern of HINTS) {
    const found = pattern.exec(text);
    if (!found) continue;
    const amount = Number(found[1]);
    const unit = (found[2] ?? 's').toLowerCase();
    const factor = unit.startsWith('h') ? 3600 : unit.startsWith('m') ? 60 : 1;
    const seconds = Math.min(amount * factor, MAX_HINT_SECONDS);
    if (seconds > 0) return seconds;
  }
  return undefined;
}
