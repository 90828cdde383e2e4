// A message as an SMTP client submitted it, read into what the outbox keeps: the organization
// it is sent for, its recipients (from the envelope only: To and Cc as the header names them,
// every other envelope recipient Bcc), its subject and Message-ID, and the bytes themselves
// without their Bcc and X-Relais-Organization headers. Nothing of it is re-encoded.
import { simpleParser, type AddressObject } from 'mailparser';
import { isValidAddress, type Mailbox, type MessageContent, type Submission } from '../outbox/outbox.ts';
import { splitMessage, withoutFields } from '../smtp/raw-message.ts';
import { ORGANIZATION_ID_PATTERN } from '../tenants/tenants.ts';
import { REPLIES, type SmtpReply } from './smtp-reply.ts';

/** The header naming the organization when the client signed in as `platform`; removed before sending. */
export const ORGANIZATION_HEADER = 'x-relais-organization';

const REMOVED_FIELDS: ReadonlySet<string> = new Set(['bcc', ORGANIZATION_HEADER]);
const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>$/;
/** Longest submitted From kept as Reply-To (the size bound counts on it). */
const MAX_NAME_CHARS = 200;

export interface ReadSubmission {
  /** The organization the X-Relais-Organization header names, if any (checked by the caller). */
  namedOrganization: string | undefined;
  submission: Submission;
}

function addresses(field: AddressObject | AddressObject[] | undefined): Set<string> {
  const list = [field ?? []].flat().flatMap((o) => o.value);
  const found = new Set<string>();
  const walk = (entries: typeof list): void => {
    for (const e of entries) {
      if (e.address) found.add(e.address.toLowerCase());
      if (e.group) walk(e.group);
    }
  };
  walk(list);
  return found;
}

function submittedFrom(field: AddressObject | undefined): Mailbox | undefined {
  const first = field?.value[0];
  if (!first?.address || !isValidAddress(first.address)) return undefined;
  const name = first.name.slice(0, MAX_NAME_CHARS);
  return name ? { name, address: first.address } : { address: first.address };
}

/**
 * Reads a submitted message for the envelope's recipients, or gives the refusal to answer.
 * `recipients` are the RCPT TO addresses, already checked one by one.
 */
export async function readSubmission(message: Buffer, recipients: readonly string[]): Promise<ReadSubmission | SmtpReply> {
  const { fields } = splitMessage(message);
  const header = Buffer.concat(fields.map((f) => f.bytes));
  // Header injection: no NUL, no CR that does not end a line.
  if (header.includes(0) || /\r(?!\n)/.test(header.toString('latin1'))) return REPLIES.headerNul();
  const parsed = await simpleParser(Buffer.concat([header, Buffer.from('\r\n')]), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  const named = parsed.headers.get(ORGANIZATION_HEADER);
  const namedOrganization = typeof named === 'string' ? named.trim() : undefined;
  if (namedOrganization !== undefined && !ORGANIZATION_ID_PATTERN.test(namedOrganization)) return REPLIES.organizationNotFound();

  const inTo = addresses(parsed.to);
  const inCc = addresses(parsed.cc);
  const content: MessageContent = { to: [], cc: [], bcc: [], subject: parsed.subject ?? '', headers: {}, attachments: [] };
  for (const address of recipients) {
    const key = address.toLowerCase();
    (inTo.has(key) ? content.to : inCc.has(key) ? content.cc : content.bcc).push({ address });
  }
  const from = submittedFrom(parsed.from);
  content.raw = {
    base64: withoutFields(message, REMOVED_FIELDS).toString('base64'),
    ...(from ? { from } : {}),
    hasReplyTo: fields.some((f) => f.name === 'reply-to'),
  };
  const messageId = parsed.messageId && MESSAGE_ID.test(parsed.messageId) ? parsed.messageId : undefined;
  return { namedOrganization, submission: { content, ...(messageId ? { messageId } : {}) } };
}
