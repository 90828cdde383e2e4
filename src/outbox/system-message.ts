// Messages Relais writes itself for an organization (relay alerts to its owners), queued in
// the caller's transaction so that the alert commits with the change it reports.
import { newId } from '../ids.ts';
import type { Executor } from '../store/store.ts';
import { estimateSize, recipientsOf, type Mailbox, type MessageContent, type MessageRecord } from './message.ts';
import { insertMessage } from './sql/insertMessage.ts';
import { insertRecipients } from './sql/recipients.ts';

export interface SystemMessage {
  organizationId: string;
  to: Mailbox[];
  subject: string;
  text: string;
  category: string;
  /** `platform`: never through the organization's relay (an alert about that relay must not depend on it). */
  forcedRoute: 'platform' | null;
}

/** Queues the message in the outbox; the caller wakes the dispatcher once its transaction commits. */
export async function queueSystemMessage(
  tx: Executor,
  message: SystemMessage,
  args: { now: number; messageIdDomain: string },
): Promise<Pick<MessageRecord, 'id'>> {
  const { now } = args;
  const content: MessageContent = { to: message.to, cc: [], bcc: [], subject: message.subject, text: message.text, headers: {}, attachments: [] };
  const id = newId('msg', now);
  const recipients = recipientsOf(content);
  await insertMessage(tx, {
    id,
    organization_id: message.organizationId,
    status: 'queued',
    category: message.category,
    message_id_header: `<${id.replace('_', '.')}@${args.messageIdDomain}>`,
    payload: JSON.stringify(content),
    size_bytes: estimateSize(content),
    recipient_count: recipients.length,
    idempotency_key: null,
    request_hash: null,
    attempts: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_expires_at: null,
    route: null,
    last_reply: null,
    last_error_code: null,
    created_at: now,
    updated_at: now,
    sent_at: null,
    failed_at: null,
    resent_from: null,
    forced_route: message.forcedRoute,
  });
  await insertRecipients(tx, id, recipients, now);
  return { id };
}
