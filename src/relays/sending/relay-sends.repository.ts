// All SQL for relay send slots (relay_sends): what each relay has in flight and has accepted
// over the last second, minute, hour and day. Counting from the database keeps the limits
// right across every process sharing it.
import type { Executor } from '../../store/store.ts';
import { DAY_MS, MESSAGE_WINDOWS, type RelayUsage } from './relay-limits.ts';

/**
 * Serializes the slot decisions of one relay until the caller's transaction ends: an UPDATE
 * takes PostgreSQL's row lock and SQLite's write lock alike, without dialect-specific SQL.
 */
export async function lockRelaySlots(tx: Executor, relayId: string): Promise<void> {
  await tx
    .updateTable('smtp_relays')
    .set((eb) => ({ version: eb.ref('version') }))
    .where('id', '=', relayId)
    .execute();
}

/** Usage of the relay over the last `horizonMs` (windows longer than the horizon read as 0). */
export async function readUsage(db: Executor, relayId: string, now: number, horizonMs: number): Promise<RelayUsage> {
  const row = await db
    .selectFrom('relay_sends')
    .select((eb) => {
      const inWindow = (ms: number) => eb.fn.sum<number | string | null>(eb.case().when('started_at', '>', now - ms).then(eb.ref('messages')).else(eb.lit(0)).end());
      return [
        eb.fn
          .sum<number | string | null>(eb.case().when(eb.and([eb('finished_at', 'is', null), eb('expires_at', '>', now)])).then(eb.lit(1)).else(eb.lit(0)).end())
          .as('in_flight'),
        inWindow(MESSAGE_WINDOWS[0].ms).as('per_second'),
        inWindow(MESSAGE_WINDOWS[1].ms).as('per_minute'),
        inWindow(MESSAGE_WINDOWS[2].ms).as('per_hour'),
        inWindow(MESSAGE_WINDOWS[3].ms).as('per_day'),
        eb.fn.sum<number | string | null>(eb.case().when('started_at', '>', now - DAY_MS).then(eb.ref('recipients')).else(eb.lit(0)).end()).as('recipients_day'),
      ];
    })
    .where('relay_id', '=', relayId)
    .where('started_at', '>', now - horizonMs)
    .executeTakeFirst();
  const n = (v: number | string | null | undefined) => Number(v ?? 0);
  return {
    inFlight: n(row?.in_flight),
    messages: {
      messagesPerSecond: n(row?.per_second),
      messagesPerMinute: n(row?.per_minute),
      messagesPerHour: n(row?.per_hour),
      messagesPerDay: n(row?.per_day),
    },
    recipientsPerDay: n(row?.recipients_day),
  };
}

/** Takes a slot for a send of `messageId` to `recipients` addresses; returns the slot's id. */
export async function insertSend(
  db: Executor,
  args: { relayId: string; messageId: string; now: number; expiresAt: number; recipients: number },
): Promise<number> {
  const row = await db
    .insertInto('relay_sends')
    .values({
      relay_id: args.relayId,
      message_id: args.messageId,
      started_at: args.now,
      expires_at: args.expiresAt,
      finished_at: null,
      messages: 1,
      recipients: args.recipients,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Frees the slot and keeps, for the windows, only what the relay accepted. */
export async function finishSend(db: Executor, id: number, args: { at: number; acceptedRecipients: number }): Promise<void> {
  await db
    .updateTable('relay_sends')
    .set({ finished_at: args.at, messages: args.acceptedRecipients > 0 ? 1 : 0, recipients: args.acceptedRecipients })
    .where('id', '=', id)
    .execute();
}

/** Extends the slots held for these messages' sends, with their leases. */
export async function renewSends(db: Executor, messageIds: string[], until: number): Promise<void> {
  if (messageIds.length === 0) return;
  await db
    .updateTable('relay_sends')
    .set({ expires_at: until })
    .where('message_id', 'in', messageIds)
    .where('finished_at', 'is', null)
    .execute();
}

/**
 * When `excess` of the messages counted in the last `windowMs` will have left the window:
 * the time of the excess-th oldest one, plus the window.
 */
export async function messagesLeaveWindowAt(db: Executor, args: { relayId: string; now: number; windowMs: number; excess: number }): Promise<number> {
  const row = await db
    .selectFrom('relay_sends')
    .select('started_at')
    .where('relay_id', '=', args.relayId)
    .where('started_at', '>', args.now - args.windowMs)
    .where('messages', '>', 0)
    .orderBy('started_at')
    .offset(Math.max(0, args.excess - 1))
    .limit(1)
    .executeTakeFirst();
  return (row ? Number(row.started_at) : args.now) + args.windowMs;
}

/** When enough recipients counted in the last `windowMs` will have left it to free `excess` of them. */
export async function recipientsLeaveWindowAt(db: Executor, args: { relayId: string; now: number; windowMs: number; excess: number }): Promise<number> {
  const rows = await db
    .selectFrom('relay_sends')
    .select(['started_at', 'recipients'])
    .where('relay_id', '=', args.relayId)
    .where('started_at', '>', args.now - args.windowMs)
    .where('recipients', '>', 0)
    .orderBy('started_at')
    .execute();
  let freed = 0;
  for (const row of rows) {
    freed += Number(row.recipients);
    if (freed >= args.excess) return Number(row.started_at) + args.windowMs;
  }
  return args.now + args.windowMs;
}

/** Forgets sends older than every window. */
export async function pruneSends(db: Executor, before: number): Promise<number> {
  const result = await db.deleteFrom('relay_sends').where('started_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
