import type { Executor } from '../../store/store.ts';
import { estimateSize, recipientsOf, type MessageContent, type MessageRecord, type MessageSource } from '../message.ts';
import { insertRecipients } from './recipients.ts';
import { toMessageRecord } from './rows.ts';

export interface NewMessage {
  id: string;
  organizationId: string;
  content: MessageContent;
  category: string | null;
  /** Domain of the Message-ID, fixed now so that every attempt carries the same one. */
  messageIdDomain: string;
  now: number;
  /** Size as measured by the caller, when it already checked it against the limit. */
  sizeBytes?: number;
  idempotencyKey?: string | null;
  requestHash?: string | null;
  resentFrom?: string | null;
  /** `platform`: never through the organization's relay. */
  forcedRoute?: 'platform' | null;
  /** `api` unless said otherwise. */
  source?: MessageSource;
  /** The Message-ID an SMTP client submitted: kept as the message's Message-ID, and unique per organization. */
  submittedMessageId?: string | null;
  /** `high`: claimed before the organization's other waiting messages. */
  priority?: 'high' | 'normal';
}

/** Writes a new message into the outbox as `queued`, with its recipients all pending; returns it. */
export async function insertMessage(db: Executor, m: NewMessage): Promise<MessageRecord> {
  const recipients = recipientsOf(m.content);
  const row = await db
    .insertInto('messages')
    .values({
      id: m.id,
      organization_id: m.organizationId,
      status: 'queued',
      category: m.category,
      message_id_header: m.submittedMessageId ?? `<${m.id.replace('_', '.')}@${m.messageIdDomain}>`,
      payload: JSON.stringify(m.content),
      size_bytes: m.sizeBytes ?? estimateSize(m.content),
      recipient_count: recipients.length,
      idempotency_key: m.idempotencyKey ?? null,
      request_hash: m.requestHash ?? null,
      attempts: 0,
      next_attempt_at: m.now,
      lease_owner: null,
      lease_expires_at: null,
      route: null,
      last_reply: null,
      last_error_code: null,
      created_at: m.now,
      updated_at: m.now,
      sent_at: null,
      failed_at: null,
      resent_from: m.resentFrom ?? null,
      forced_route: m.forcedRoute ?? null,
      subject: m.content.subject,
      source: m.source ?? 'api',
      submitted_message_id: m.submittedMessageId ?? null,
      priority_rank: m.priority === 'high' ? 0 : 1,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await insertRecipients(db, m.id, recipients, m.now);
  return toMessageRecord(row);
}
