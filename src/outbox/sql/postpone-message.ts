import type { Executor } from '../../store/store.ts';

/**
 * Returns a leased message to the queue until `until` without counting the claim as an
 * attempt: nothing was sent (its relay is held or at a limit). With a `code`, the message
 * becomes `deferred` with that code as its last error; without one (a momentary wait) it
 * keeps the state it had before the claim. Returns false when the lease was lost.
 */
export async function postponeMessage(
  db: Executor,
  args: { id: string; owner: string; until: number; now: number; code?: string },
): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set((eb) => ({
      status: args.code
        ? 'deferred'
        : eb
            .case()
            .when(eb.or([eb('attempts', '>', 1), eb('last_error_code', 'is not', null)]))
            .then(eb.val('deferred'))
            .else(eb.val('queued'))
            .end(),
      attempts: eb('attempts', '-', 1),
      next_attempt_at: args.until,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: args.now,
      ...(args.code ? { last_error_code: args.code } : {}),
    }))
    .where('id', '=', args.id)
    .where('lease_owner', '=', args.owner)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
