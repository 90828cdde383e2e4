// The mail the SMTP layer composes and sends: mailboxes and the content of a message. The
// outbox stores this content as the platform submitted it; compose.ts turns it into MIME.

export interface Mailbox {
  name?: string;
  address: string;
}

export interface AttachmentInput {
  filename: string;
  contentType: string;
  contentBase64: string;
}

/**
 * A message submitted over SMTP, kept as the client sent it: at send time only its routing
 * headers (From, Sender, Reply-To when absent, Message-ID) are written anew (raw-message.ts).
 */
export interface RawMime {
  /** The submitted bytes in base64, without their Bcc and X-Relais-Organization headers. */
  base64: string;
  /** The submitted From: it becomes Reply-To when it is not the route's sender and the message has none. */
  from?: Mailbox;
  /** Whether the message carries its own Reply-To header (then kept as it is). */
  hasReplyTo: boolean;
}

/** The accepted request, stored as JSON and composed into MIME at send time. */
export interface MessageContent {
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  subject: string;
  text?: string;
  html?: string;
  replyTo?: Mailbox;
  headers: Record<string, string>;
  attachments: AttachmentInput[];
  /** Present for SMTP submissions: the message itself (to, cc, bcc and subject are read from it and its envelope). */
  raw?: RawMime;
}
