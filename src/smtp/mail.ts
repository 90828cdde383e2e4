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
}
