// A message kept as a client submitted it (SMTP submission), and the routing headers written
// anew at send time. The header section is split into whole fields (continuation lines
// included) and the body is never touched: bytes in, the same bytes out, except for the
// fields this module removes or writes.
import MimeNode from 'nodemailer/lib/mime-node';
import type { Mailbox } from './mail.ts';

/** One header field as it stands in the message, continuation lines and line ending included. */
export interface HeaderField {
  /** Lower-cased field name. */
  name: string;
  bytes: Buffer;
}

export interface SplitMessage {
  fields: HeaderField[];
  /** The blank line that ends the header section and everything after it (empty when absent). */
  body: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;

function isBlankLine(buf: Buffer, start: number, end: number): boolean {
  return end - start === 1 || (end - start === 2 && buf[start] === CR);
}

/** Splits a message into its header fields and its body (from the separating blank line on). */
export function splitMessage(message: Buffer): SplitMessage {
  const fields: HeaderField[] = [];
  let start = 0;
  while (start < message.length) {
    const lineEnd = message.indexOf(LF, start);
    const end = lineEnd === -1 ? message.length : lineEnd + 1;
    if (isBlankLine(message, start, end)) return { fields, body: message.subarray(start) };
    const first = message[start];
    const last = fields.at(-1);
    if ((first === 0x20 || first === 0x09) && last) {
      // A continuation line belongs to the field before it.
      last.bytes = Buffer.concat([last.bytes, message.subarray(start, end)]);
    } else {
      const colon = message.indexOf(0x3a, start);
      const name = colon === -1 || colon >= end ? '' : message.subarray(start, colon).toString('latin1').trim().toLowerCase();
      fields.push({ name, bytes: message.subarray(start, end) });
    }
    start = end;
  }
  return { fields, body: Buffer.alloc(0) };
}

/** Fields a client may not decide: who sends, the message's identity, and Relais's own routing header. */
const ROUTING_FIELDS = new Set(['from', 'sender', 'message-id', 'return-path', 'bcc', 'x-relais-organization']);

/** The message without the fields named (lower case); every other byte stays. */
export function withoutFields(message: Buffer, names: ReadonlySet<string>): Buffer {
  const { fields, body } = splitMessage(message);
  return Buffer.concat([...fields.filter((f) => !names.has(f.name)).map((f) => f.bytes), body]);
}

export interface RoutingHeaders {
  from: Mailbox;
  /** Written only when the message has no Reply-To of its own. */
  replyTo?: Mailbox;
  messageId: string;
  /** Written only when the message has no Date. */
  date: Date;
}

/** Header fields as nodemailer writes them (encoded words, folding), CRLF-terminated. */
function formatFields(headers: [string, unknown][]): Buffer {
  const node = new MimeNode('text/plain');
  for (const [name, value] of headers) node.setHeader(name, value as Parameters<MimeNode['setHeader']>[1]);
  // buildHeaders adds the MIME structure of an empty node: only the fields asked for are kept.
  const wanted = new Set(headers.map(([name]) => name.toLowerCase()));
  const lines = node
    .buildHeaders()
    .split(/\r\n(?=[^ \t])/)
    .filter((field: string) => wanted.has(field.slice(0, field.indexOf(':')).toLowerCase()));
  return Buffer.from(lines.map((l: string) => `${l}\r\n`).join(''), 'utf8');
}

function mailboxValue(m: Mailbox): { name: string; address: string } | string {
  return m.name ? { name: m.name, address: m.address } : m.address;
}

/**
 * The submitted message as it leaves for one route: From, Message-ID (and Reply-To and Date
 * when it has none) written anew at the top; any Sender, Return-Path, Bcc or
 * X-Relais-Organization removed; every other byte as submitted.
 */
export function rewriteRoutingHeaders(message: Buffer, routing: RoutingHeaders): Buffer {
  const { fields, body } = splitMessage(message);
  const hasReplyTo = fields.some((f) => f.name === 'reply-to');
  const hasDate = fields.some((f) => f.name === 'date');
  const written: [string, unknown][] = [['From', mailboxValue(routing.from)]];
  if (!hasReplyTo && routing.replyTo) written.push(['Reply-To', mailboxValue(routing.replyTo)]);
  written.push(['Message-ID', routing.messageId]);
  if (!hasDate) written.push(['Date', routing.date]);
  const kept = fields.filter((f) => !ROUTING_FIELDS.has(f.name)).map((f) => f.bytes);
  return Buffer.concat([formatFields(written), ...kept, body]);
}
