// Messages Relais writes itself for an organization (relay alerts to its owners), queued in
// the caller's transaction so that the alert commits with the change it reports.
import { newId } from '../ids.ts';
import type { Executor } from '../store/store.ts';
import type { Mailbox, MessageContent, MessageRecord } from './message.ts';
import { insertMessage } from './sql/insertMessage.ts';

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
  await insertMessage(tx, {
    id,
    organizationId: message.organizationId,
    content,
    category: message.category,
    messageIdDomain: args.messageIdDomain,
    now,
    forcedRoute: message.forcedRoute,
  });
  return { id };
}
