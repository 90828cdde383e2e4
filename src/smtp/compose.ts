// Builds the MIME message once per attempt from the stored content and the route's sender.
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Mailbox, MessageContent, RawMime } from './mail.ts';
import { rewriteRoutingHeaders } from './raw-message.ts';

export interface ComposeInput {
  content: MessageContent;
  from: Mailbox;
  replyTo?: Mailbox;
  messageId: string;
  date: Date;
  headers?: Record<string, string>;
}

export function formatMailbox(m: Mailbox): { name: string; address: string } | string {
  return m.name ? { name: m.name, address: m.address } : m.address;
}

export async function composeMessage(input: ComposeInput): Promise<Buffer> {
  const { content } = input;
  if (content.raw) return composeSubmitted(content.raw, input);
  const replyTo = input.replyTo ?? content.replyTo;
  const composer = new MailComposer({
    from: formatMailbox(input.from),
    to: content.to.map(formatMailbox),
    ...(content.cc.length > 0 ? { cc: content.cc.map(formatMailbox) } : {}),
    ...(replyTo ? { replyTo: formatMailbox(replyTo) } : {}),
    subject: content.subject,
    ...(content.text !== undefined ? { text: content.text } : {}),
    ...(content.html !== undefined ? { html: content.html } : {}),
    messageId: input.messageId,
    date: input.date,
    headers: { ...content.headers, ...input.headers },
    attachments: content.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.contentBase64,
      encoding: 'base64',
    })),
  });
  // Bcc recipients are not given to the composer: they travel in the envelope only.
  return composer.compile().build();
}

/**
 * A message submitted over SMTP leaves as it came, under the route's sender: the submitted From
 * becomes Reply-To when it is another address and the message has no Reply-To of its own.
 */
function composeSubmitted(raw: RawMime, input: ComposeInput): Buffer {
  const submittedFrom = raw.from && raw.from.address.toLowerCase() !== input.from.address.toLowerCase() ? raw.from : undefined;
  const replyTo = raw.hasReplyTo ? undefined : (submittedFrom ?? input.replyTo);
  return rewriteRoutingHeaders(Buffer.from(raw.base64, 'base64'), {
    from: input.from,
    ...(replyTo ? { replyTo } : {}),
    messageId: input.messageId,
    date: input.date,
  });
}
