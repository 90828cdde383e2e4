import type { Executor } from '../../store/store.ts';

/** Messages waiting or in flight, for the queue-depth gauge. */
export async function countQueued(db: Executor): Promise<Record<'queued' | 'deferred' | 'sending', number>> {
  const rows = await db
    .selectFrom('messages')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'in', ['queued', 'deferred', 'sending'])
    .groupBy('status')
    .execute();
  const counts = { queued: 0, deferred: 0, sending: 0 };
  for (const r of rows) counts[r.status as keyof typeof counts] = Number(r.n);
  return counts;
}
