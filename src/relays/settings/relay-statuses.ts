import type { Executor } from '../../store/store.ts';

/** How many organization relays are in each status, for the `relais_relays` gauge. */
export async function countRelaysByStatus(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('smtp_relays')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
