import type { Executor } from '../../store/store.ts';
import { RETRY_SAFE } from '../../store/reconnecting-driver.ts';

/**
 * Returns messages leased by `owner` to the queue without counting the attempt: used at
 * shutdown for sends that never started or did not finish in the grace period.
 */
export async function releaseLeases(db: Executor, args: { owner: string; ids: string[]; now: number }): Promise<number> {
  if (args.ids.length === 0) return 0;
  const result = await db
    .updateTable('messages')
    .set((eb) => ({
      status: 'queued',
      lease_owner: null,
      lease_expires_at: null,
      attempts: eb('attempts', '-', 1),
      next_attempt_at: args.now,
      updated_at: args.now,
    }))
    .where('lease_owner', '=', args.owner)
    .where('status', '=', 'sending')
    .where('id', 'in', args.ids)
    // Twice is once: the second finds no lease of `owner` left.
    .modifyEnd(RETRY_SAFE)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
