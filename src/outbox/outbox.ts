// The outbox's public surface for the other contexts. Relays and tenants change the outbox
// only through these functions, inside their own transactions (the caller owns it, and wakes
// the dispatchers once it commits): release mail that waits, record a platform event, queue a
// message Relais writes itself. The outbox's SQL (./sql/) is private to the outbox.
import { newId } from '../ids.ts';
import type { Executor } from '../store/store.ts';
import type { PlatformEventType } from './event.ts';
import type { Mailbox, MessageContent, MessageRecord } from './message.ts';
import { WAITING_FOR_RELAY } from './router.ts';
import { insertEvent } from './sql/events.ts';
import { insertMessage } from './sql/insert-message.ts';
import { rescheduleDeferred } from './sql/reschedule-deferred.ts';
import { queueWebhookEvent } from '../webhooks/webhooks.ts';

export { countQueued } from './sql/count-queued.ts';
// What SMTP submission hands to the outbox (relais.accept.acceptSubmission), and the checks it shares with the API.
export { isValidAddress, MAX_RECIPIENTS } from './message.ts';
export type { Mailbox, MessageContent } from './message.ts';
export type { AcceptResult, Submission } from './accept.service.ts';

/**
 * Makes an organization's deferred mail due now, so it is routed again under the relay's or the
 * organization's new state: `waiting-for-relay` releases only what waits for the relay (held
 * while it fails, or at one of its limits), `all` every deferred message (the relay changed or
 * started failing: retries follow the new state at once). Returns whether any message became due.
 */
export async function releaseWaitingMail(
  tx: Executor,
  args: { organizationId: string; now: number; which: 'waiting-for-relay' | 'all' },
): Promise<boolean> {
  const codes = args.which === 'waiting-for-relay' ? { codes: WAITING_FOR_RELAY } : {};
  return (await rescheduleDeferred(tx, { organizationId: args.organizationId, now: args.now, ...codes })) > 0;
}

/**
 * Records an event the platform reads (GET /v1/events) and queues its webhooks, in the
 * caller's transaction: both commit with the change the event describes, or neither does.
 */
export async function recordEvent(
  tx: Executor,
  event: { organizationId: string; type: PlatformEventType; messageId?: string; data: Record<string, unknown>; at: number },
): Promise<void> {
  await insertEvent(tx, event);
  await queueWebhookEvent(tx, event);
}

/** A message Relais writes itself for an organization (relay alerts to its owners). */
export interface SystemMessage {
  organizationId: string;
  to: Mailbox[];
  subject: string;
  text: string;
  category: string;
  /** `platform`: never through the organization's relay (an alert about that relay must not depend on it). */
  forcedRoute: 'platform' | null;
}

/** Queues the message in the caller's transaction, so that it commits with the change it reports. */
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

export { countSendingFor, countUnfinished, deleteOrganizationMail, eraseAddressFromMail, type AddressErasure } from './erasure.ts';
