import type { Executor } from '../../store/store.ts';

/**
 * When the dispatcher next has something to do: the earliest due time or lease expiry,
 * leaving out organizations it does not claim for at the moment.
 */
export async function nextWakeUp(db: Executor, excludeOrganizations: readonly string[] = []): Promise<number | undefined> {
  const due = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.min<number>('next_attempt_at').as('at'))
    .where('status', 'in', ['queued', 'deferred'])
    .$if(excludeOrganizations.length > 0, (q) => q.where('organization_id', 'not in', excludeOrganizations))
    .executeTakeFirst();
  const lease = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.min<number>('lease_expires_at').as('at'))
    .where('status', '=', 'sending')
    .executeTakeFirst();
  const times = [due?.at, lease?.at].filter((t): t is number => t !== null && t !== undefined).map(Number);
  return times.length > 0 ? Math.min(...times) : undefined;
}
