// Deleting an organization's mail, batch by batch: its messages with their recipients and
// attempts, and its events. Used when the organization itself is deleted.
import type { Executor } from '../../store/store.ts';

/** The organization's messages still to deliver or being delivered, by status. */
export async function countUnfinished(db: Executor, organizationId: string): Promise<Record<'queued' | 'deferred' | 'sending', number>> {
  const rows = await db
    .selectFrom('messages')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('organization_id', '=', organizationId)
    .where('status', 'in', ['queued', 'deferred', 'sending'])
    .groupBy('status')
    .execute();
  const counts = { queued: 0, deferred: 0, sending: 0 };
  for (const r of rows) counts[r.status as keyof typeof counts] = Number(r.n);
  return counts;
}

/** Deletes up to `limit` of the organization's messages (final ones only unless `unfinishedToo`), with their recipients and attempts. */
export async function deleteMessagesOf(db: Executor, args: { organizationId: string; limit: number; unfinishedToo: boolean }): Promise<number> {
  const rows = await db
    .selectFrom('messages')
    .select('id')
    .where('organization_id', '=', args.organizationId)
    .$if(!args.unfinishedToo, (q) => q.where('status', 'in', ['sent', 'failed']))
    .orderBy('id')
    .limit(args.limit)
    .execute();
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return 0;
  await db.deleteFrom('message_attempts').where('message_id', 'in', ids).execute();
  await db.deleteFrom('message_recipients').where('message_id', 'in', ids).execute();
  const result = await db.deleteFrom('messages').where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes up to `limit` of the organization's events. */
export async function deleteEventsOf(db: Executor, args: { organizationId: string; limit: number }): Promise<number> {
  const result = await db
    .deleteFrom('events')
    .where('id', 'in', (eb) => eb.selectFrom('events').select('id').where('organization_id', '=', args.organizationId).orderBy('id').limit(args.limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
