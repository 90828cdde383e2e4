// The outbox's part of erasing personal data: one person's address in an organization's mail,
// or all of an organization's mail. Both work in short batches (no long lock; delivery of other
// messages goes on) and leave messages being sent right now to their dispatcher.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Db, Executor } from '../store/store.ts';
import { countUnfinished, deleteEventsOf, deleteMessagesOf } from './sql/delete-organization-mail.ts';
import { eraseFromEvents, eraseFromMessages, findMessagesMentioning, type ErasedMessages } from './sql/erase-address.ts';

export { countUnfinished };

const BATCH = 100;

export interface AddressErasure extends ErasedMessages {
  /** Events whose data named the address. */
  events: number;
}

/** Messages of the organization naming the address that a dispatcher is sending right now. */
export async function countSendingFor(db: Executor, organizationId: string, address: string): Promise<number> {
  return (await findMessagesMentioning(db, { organizationId, address, afterId: '', limit: 1000, status: 'sending' })).length;
}

/**
 * Removes the address from everything the organization's mail holds: messages naming it (as a
 * recipient, in the content, the subject or a reply) lose their content and subject, queued or
 * deferred ones are cancelled, the address becomes `[erased]` in recipients lists, replies and
 * events.
 */
export async function eraseAddressFromMail(db: Db, args: { organizationId: string; address: string; now: number }): Promise<AddressErasure> {
  const total: AddressErasure = { messages: 0, cancelled: 0, recipients: 0, attempts: 0, inFlight: 0, events: 0 };
  for (let afterId = ''; ; ) {
    const found = await findMessagesMentioning(db, { ...args, afterId, limit: BATCH });
    if (found.length === 0) break;
    const done = await eraseFromMessages(db, { ...args, ids: found.map((m) => m.id) });
    total.messages += done.messages;
    total.cancelled += done.cancelled;
    total.recipients += done.recipients;
    total.attempts += done.attempts;
    total.inFlight += done.inFlight;
    afterId = found[found.length - 1]?.id ?? afterId;
    await yieldToLoop();
  }
  for (let afterId = 0; ; ) {
    const { lastId, changed } = await eraseFromEvents(db, { organizationId: args.organizationId, address: args.address, afterId, limit: BATCH });
    total.events += changed;
    if (lastId === undefined) break;
    afterId = lastId;
    await yieldToLoop();
  }
  return total;
}

/**
 * Deletes the organization's messages (with recipients and attempts) and events in batches.
 * Unfinished ones (queued, deferred, sending) go too only with `unfinishedToo`. Call it once
 * more inside the transaction that deletes the organization, for what arrived meanwhile.
 */
export async function deleteOrganizationMail(db: Executor, args: { organizationId: string; unfinishedToo: boolean }): Promise<{ messages: number; events: number }> {
  const total = { messages: 0, events: 0 };
  // Each batch of messages goes with its recipients and attempts in one short transaction.
  const batch = (tx: Executor) => deleteMessagesOf(tx, { ...args, limit: 500 });
  for (;;) {
    const n = db.isTransaction ? await batch(db) : await (db as Db).transaction().execute(batch);
    total.messages += n;
    if (n < 500) break;
    await yieldToLoop();
  }
  for (;;) {
    const n = await deleteEventsOf(db, { organizationId: args.organizationId, limit: 1000 });
    total.events += n;
    if (n < 1000) break;
    await yieldToLoop();
  }
  return total;
}
