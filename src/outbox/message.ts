// What the platform submits, and what Relais keeps of it.
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';
import type { MessageStatus, Route } from '../glossary.ts';
import { composedSizeBound } from '../smtp/compose-size.ts';
import type { Mailbox, MessageContent } from '../smtp/mail.ts';
import type { FailureClass } from '../smtp/reply-classification.ts';

export type { AttachmentInput, Mailbox, MessageContent } from '../smtp/mail.ts';

export const MAX_RECIPIENTS = 50;

export type RecipientStatus = 'pending' | 'sent' | 'failed';

/** How the platform handed the message over: the HTTP API, or SMTP submission. */
export const MESSAGE_SOURCES = ['api', 'smtp'] as const;
export type MessageSource = (typeof MESSAGE_SOURCES)[number];

/** One recipient of a message and where its delivery stands. */
export interface Recipient {
  position: number;
  kind: 'to' | 'cc' | 'bcc';
  /** Lower-cased address. */
  address: string;
  status: RecipientStatus;
  reply: string | null;
}

export interface Attempt {
  attempt: number;
  route: Route;
  startedAt: number;
  finishedAt: number;
  outcome: 'sent' | 'deferred' | 'failed';
  reply: string | null;
  errorCode: string | null;
  /** How the classification table read the failure, when there was one. */
  failureClass: FailureClass | null;
}

export interface MessageRecord {
  id: string;
  organizationId: string;
  status: MessageStatus;
  category: string | null;
  messageId: string;
  recipientCount: number;
  sizeBytes: number;
  attempts: number;
  nextAttemptAt: number;
  route: Route | null;
  lastReply: string | null;
  lastErrorCode: string | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
  failedAt: number | null;
  /** The failed message this one re-sends. */
  resentFrom: string | null;
  subject: string | null;
  source: MessageSource;
  /** When its content (bodies, attachments, headers, names) was deleted by retention or erasure; null while kept. */
  contentDeletedAt: number | null;
}

/** A claimed message: the record plus its content and the lease that covers it. */
export interface ClaimedMessage extends MessageRecord {
  content: MessageContent;
  leaseOwner: string;
  recipients: Recipient[];
  /** `platform` for messages that never leave through the organization's relay (relay alerts). */
  forcedRoute: 'platform' | null;
}

// ---- validation of the submitted JSON ----

const FORBIDDEN_IN_HEADERS = /[\r\n\0]/;
// A pragmatic address check: one @, a non-empty local part without spaces or brackets, and a
// domain of LDH labels with at least one dot (or an IP literal in brackets).
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$/;
const HEADER_NAME = /^X-[A-Za-z0-9-]{1,74}$/;
// One character class and a length check: linear, whatever the size. (A regex repeating a
// group per 4 characters overflowed V8's regex stack near 4.5 million characters.)
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/** Padded base64 (RFC 4648) without line breaks. */
function isBase64(value: string): boolean {
  return value.length % 4 === 0 && BASE64_CHARS.test(value);
}

/** A custom zod issue carrying a stable Relais error code. */
function fail(ctx: z.RefinementCtx, code: string, message: string): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message, params: { code } });
  return z.NEVER;
}

export function isValidAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

/** Parses `a@b.fr` or `Name <a@b.fr>`; exactly one mailbox; rejects header injection. */
export const mailbox = z.string().transform((value, ctx): Mailbox => {
  if (FORBIDDEN_IN_HEADERS.test(value)) {
    return fail(ctx, 'header_injection', 'Addresses and display names may not contain line breaks or NUL characters.');
  }
  const parsed = addressparser(value, { flatten: true });
  const only = parsed.length === 1 ? parsed[0] : undefined;
  if (!only || !only.address || !isValidAddress(only.address)) {
    return fail(ctx, 'invalid_address', `"${value.slice(0, 100)}" is not a valid email address (expected a@b.fr or Name <a@b.fr>).`);
  }
  return only.name ? { name: only.name, address: only.address } : { address: only.address };
});

/**
 * One address or an array of them; always an array once parsed. Documented (the input side of
 * the OpenAPI document) as what it accepts, a string or an array of strings; each address is
 * then parsed on its own, so its error keeps its Relais code and its position (`to.0`).
 */
const mailboxes = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? [v] : v))
  .pipe(z.array(mailbox));

const headerValue = z
  .string()
  .max(998)
  .superRefine((v, ctx) => {
    if (FORBIDDEN_IN_HEADERS.test(v)) fail(ctx, 'header_injection', 'Header values may not contain line breaks or NUL characters.');
  });

const MAX_BODY_CHARS = 5_000_000;

/** A text or HTML body; a longer one is a message too large (413), like any other size. */
const body = (name: string) =>
  z.string().superRefine((v, ctx) => {
    if (v.length > MAX_BODY_CHARS) {
      fail(ctx, 'message_too_large', `The ${name} body has ${v.length.toLocaleString('en')} characters, more than the ${MAX_BODY_CHARS.toLocaleString('en')} allowed.`);
    }
  });

export const attachmentSchema = z.strictObject({
  filename: z
    .string()
    .min(1)
    .max(255)
    .superRefine((v, ctx) => {
      if (FORBIDDEN_IN_HEADERS.test(v)) fail(ctx, 'header_injection', 'Attachment file names may not contain line breaks or NUL characters.');
    }),
  contentType: z.string().regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i, 'must be a MIME type such as application/pdf'),
  contentBase64: z.string().refine(isBase64, 'must be base64 (RFC 4648, no line breaks)'),
});

export const sendMessageSchema = z
  .strictObject({
    to: mailboxes,
    cc: mailboxes.optional(),
    bcc: mailboxes.optional(),
    subject: headerValue.pipe(z.string().min(1, 'must not be empty')),
    text: body('text').optional(),
    html: body('html').optional(),
    replyTo: mailbox.optional(),
    headers: z
      .record(
        z.string().regex(HEADER_NAME, 'only custom headers named X-… are allowed'),
        headerValue,
      )
      .optional(),
    category: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a short slug such as signature-request')
      .optional(),
    attachments: z.array(attachmentSchema).max(20).optional(),
    /** `high` for transactional mail (signature requests): claimed before the organization's other waiting mail. */
    priority: z.enum(['high', 'normal']).optional(),
  })
  .superRefine((m, ctx) => {
    const count = m.to.length + (m.cc?.length ?? 0) + (m.bcc?.length ?? 0);
    if (m.to.length === 0) fail(ctx, 'no_recipients', 'At least one "to" recipient is required.');
    if (count > MAX_RECIPIENTS) {
      fail(ctx, 'too_many_recipients', `A message may have at most ${MAX_RECIPIENTS} recipients in all (to, cc and bcc); this one has ${count}.`);
    }
    if (m.text === undefined && m.html === undefined) fail(ctx, 'no_body', 'A message needs a "text" or an "html" body (or both).');
  });

export type SendMessageInput = z.input<typeof sendMessageSchema>;
export type SendMessageRequest = z.output<typeof sendMessageSchema>;

export function toContent(req: SendMessageRequest): MessageContent {
  return {
    to: req.to,
    cc: req.cc ?? [],
    bcc: req.bcc ?? [],
    subject: req.subject,
    ...(req.text !== undefined ? { text: req.text } : {}),
    ...(req.html !== undefined ? { html: req.html } : {}),
    ...(req.replyTo ? { replyTo: req.replyTo } : {}),
    headers: req.headers ?? {},
    attachments: req.attachments ?? [],
  };
}

/**
 * Size of the message as it will travel, in bytes: an upper bound of the composed MIME message
 * (encoded bodies and attachments, display names, subject and headers, the route's sender).
 */
export function estimateSize(content: MessageContent): number {
  return composedSizeBound(content);
}

export function recipientsOf(content: MessageContent): Omit<Recipient, 'status' | 'reply'>[] {
  const list = [
    ...content.to.map((m) => ({ kind: 'to' as const, address: m.address })),
    ...content.cc.map((m) => ({ kind: 'cc' as const, address: m.address })),
    ...content.bcc.map((m) => ({ kind: 'bcc' as const, address: m.address })),
  ];
  return list.map((r, position) => ({ ...r, position, address: r.address.toLowerCase() }));
}
