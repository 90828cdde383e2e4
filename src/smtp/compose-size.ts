// How large `composeMessage` can make a message, computed from its content without composing
// it: an upper bound in bytes, so that a message accepted under the size limit never travels
// over it. Every part is counted as nodemailer will encode it: attachments re-wrapped in
// 76-character base64 lines, text bodies in quoted-printable or base64 (whichever nodemailer
// picks for that text), display names, subject and custom headers as encoded words, folded.
// The sender (From, a relay's Reply-To) is chosen at send time; a fixed allowance covers the
// longest one relay settings allow. Tested against the real composer by property tests.
import type { Mailbox, MessageContent } from './mail.ts';

/** Longest sender name and address relay settings accept (src/relays/settings/relay.routes.ts). */
const MAX_SENDER_NAME_CHARS = 200;
const MAX_ADDRESS_CHARS = 254;

/** Date, MIME-Version, Message-ID, the multipart Content-Type headers and closing boundaries. */
const FIXED_HEADERS_BYTES = 2048;
/** A part's boundary line and its Content-Type / Content-Transfer-Encoding / Content-Disposition. */
const PART_OVERHEAD_BYTES = 300;

/**
 * An encoded, folded header value of `text`: printable ASCII stays as it is (quoted at worst,
 * which at most doubles it); anything else becomes encoded words — at most 3 characters per
 * byte (Q) plus `=?UTF-8?Q?…?= ` around every 40 characters, then folded every 76 characters.
 */
function headerValueBound(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text) && !text.includes('=?')) return 2 * text.length + 8;
  return 5 * Buffer.byteLength(text) + 32;
}

/** An address goes out as it is (UTF-8 local parts too); twice its bytes covers quoting. */
function addressBound(address: string): number {
  return 2 * Buffer.byteLength(address) + 8;
}

function mailboxBound(m: Mailbox): number {
  // `"name" <address>, ` with the name encoded.
  return (m.name === undefined ? 0 : headerValueBound(m.name)) + addressBound(m.address) + 8;
}

function addressHeaderBound(list: readonly Mailbox[]): number {
  return list.length === 0 ? 0 : 16 + list.reduce((n, m) => n + mailboxBound(m), 0);
}

/** Base64 of `bytes` bytes in lines of 76 characters ending in CRLF. */
function base64Bound(bytes: number): number {
  const chars = 4 * Math.ceil(bytes / 3);
  return chars + 2 * Math.ceil(chars / 76) + 2;
}

/**
 * A text body as nodemailer sends it. Like nodemailer, quoted-printable when the text has more
 * Latin letters than control or non-ASCII characters, base64 otherwise (plain 7-bit text, sent
 * as it is, is never longer than its quoted-printable form).
 */
function textBodyBound(text: string): number {
  let latin = 0;
  let nonLatin = 0;
  // Quoted-printable characters before soft line breaks.
  let qp = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
      latin++;
      qp += 1;
    } else if (c === 0x0a) {
      // LF (CRLF on the wire) and the whitespace before it, which is encoded.
      qp += 4;
    } else if (c === 0x0d) {
      qp += 3;
    } else if (c === 0x09 || (c >= 0x20 && c <= 0x7e && c !== 0x3d)) {
      qp += 1;
    } else if (c < 0x80) {
      // '=' and control characters: =XX
      if (c !== 0x3d) nonLatin++;
      qp += 3;
    } else {
      nonLatin++;
      // =XX per UTF-8 byte: 2 bytes below U+0800, 2 per unit of a surrogate pair, else 3.
      qp += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 6 : 9;
    }
  }
  if (nonLatin < latin) {
    // A soft line break (=CRLF) at least every 50 characters: nodemailer breaks lines of 76
    // early at a space or punctuation within the last 25, or before a multi-byte sequence.
    return qp + 3 * Math.ceil(qp / 50) + 2;
  }
  return base64Bound(Buffer.byteLength(text));
}

/** From (a relay's sender name and address, encoded) and a relay's Reply-To. */
const SENDER_BYTES = 16 + 5 * 3 * MAX_SENDER_NAME_CHARS + 32 + 2 * (16 + 2 * 3 * MAX_ADDRESS_CHARS + 8);

/**
 * What the routing headers written at send time may add to a message submitted over SMTP
 * (From, Reply-To, Message-ID, Date): the SMTP submission server announces the size limit
 * minus this, so that a message it accepts never travels over the limit.
 */
export const ROUTING_HEADERS_BOUND = FIXED_HEADERS_BYTES + SENDER_BYTES;

/** Upper bound, in bytes, of the composed message for `content` whatever route sends it. */
export function composedSizeBound(content: MessageContent): number {
  if (content.raw) return Buffer.byteLength(content.raw.base64, 'base64') + ROUTING_HEADERS_BOUND;
  let size = FIXED_HEADERS_BYTES;
  size += SENDER_BYTES;
  size += addressHeaderBound(content.to) + addressHeaderBound(content.cc);
  if (content.replyTo) size += addressHeaderBound([content.replyTo]);
  size += 16 + headerValueBound(content.subject);
  for (const [name, value] of Object.entries(content.headers)) size += name.length + 4 + headerValueBound(value);
  for (const body of [content.text, content.html]) {
    if (body !== undefined) size += PART_OVERHEAD_BYTES + textBodyBound(body);
  }
  for (const a of content.attachments) {
    // The base64 text is decoded and encoded again in lines of 76: same length, plus CRLFs.
    const chars = a.contentBase64.length;
    size += PART_OVERHEAD_BYTES + chars + 2 * Math.ceil(chars / 76) + 2;
    // The file name appears twice (Content-Type name= and Content-Disposition filename=).
    size += 2 * headerValueBound(a.filename) + headerValueBound(a.contentType);
  }
  return size;
}
