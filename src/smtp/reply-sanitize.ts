/**
 * What Relais shows owners of a server's reply or banner (flight check, delivery log).
 *
 * The relay host is chosen by the owner, so the "server" may be any service: echoing its
 * banner would turn Relais into a probe that reads internal HTTP, SSH or database banners
 * back to whoever configured the host. Only text shaped like SMTP replies is shown, cleaned
 * of control characters and of anything that looks like credentials from an AUTH exchange.
 */

/** Shown instead of anything that does not look like an SMTP reply. */
export const NON_SMTP_REPLY_TEXT = '(the server did not answer as an SMTP server)';

/** One SMTP reply line: a 2xx–5xx code, then a space, a hyphen (continued) or nothing. */
const REPLY_LINE = /^[2-5]\d\d(?:[ -]|$)/;
const MECHANISMS = 'PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5|DIGEST-MD5|NTLM|GSSAPI|SCRAM-SHA-1|SCRAM-SHA-256';
/**
 * A client AUTH command with its initial response, whose token (base64 user name, password
 * or OAuth2 bearer) is secret. A following mechanism name is not a token: an EHLO reply
 * lists them ("250-AUTH PLAIN LOGIN XOAUTH2").
 */
const AUTH_COMMAND = new RegExp(
  `\\b(AUTH[ \\t]+(?:${MECHANISMS}))[ \\t]+(?!(?:${MECHANISMS})(?![\\w-]))[\\w+/=-]+`,
  'gi',
);
/** A client line of an AUTH exchange quoted in a transcript: the command, or a bare base64 token. */
const CLIENT_AUTH_LINE = /^(?:AUTH(?:\s.*)?|[A-Za-z0-9+/]+={0,2})$/i;
/** C0, DEL, C1 controls and invisible format characters (bidi overrides, zero-width). */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;
/** Longer input is cut before parsing: replies worth showing are a few hundred characters. */
const MAX_INPUT = 16_384;

/**
 * The longest server reply Relais keeps or shows, in characters: the delivery log's attempts,
 * a failing relay's reply, explanations and flight-check steps all cut at this length.
 */
export const REPLY_MAX_LENGTH = 300;

export function sanitizeReply(raw: string | undefined, max = REPLY_MAX_LENGTH): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const lines = raw
    .slice(0, MAX_INPUT)
    .replace(AUTH_COMMAND, '$1 [redacted]')
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !(CLIENT_AUTH_LINE.test(line) && !REPLY_LINE.test(line)));
  if (lines.length === 0 || !lines.every((line) => REPLY_LINE.test(line))) return NON_SMTP_REPLY_TEXT;
  const text = lines
    .map((line) => line.replace(/\t/g, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim())
    .join(' / ');
  return cap(text, Math.max(1, max));
}

/** Cuts at a code point boundary so an emoji or accented letter is never split in half. */
function cap(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** `550 5.1.1` from a reply such as "550 5.1.1 <lea@example.org>: no such user": the codes only. */
export function replyCodeOf(reply: unknown): string | undefined {
  if (typeof reply !== 'string') return undefined;
  const match = /^([2-5]\d\d)(?:[ -]([245]\.\d{1,3}\.\d{1,3}))?/.exec(reply);
  if (!match) return undefined;
  return match[2] ? `${match[1]} ${match[2]}` : match[1];
}
