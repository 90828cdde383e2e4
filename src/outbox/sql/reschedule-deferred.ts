import type { Executor } from '../../store/store.ts';

/**
 * Makes an organization's deferred messages due at `now` — all of them, or only those waiting
 * with one of `codes` as their last error code: when its relay starts failing (they follow the
 * organization's policy at once) or works again (held mail goes out), or when the owner
 * changes the relay. Returns how many were rescheduled.
 */
export async function rescheduleDeferred(db: Executor, args: { organizationId: string; now: number; codes?: readonly string[] }): Promise<number> {
  const result = await db
    .updateTable('messages')
    .set({ next_attempt_at: args.now })
    .where('organization_id', '=', args.organizationId)
    .where('status', '=', 'deferred')
    .where('next_attempt_at', '>', args.now)
    .$if(args.codes !== undefined, (q) => q.where('last_error_code', 'in', args.codes as readonly string[]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
