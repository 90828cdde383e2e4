import type { Executor } from '../../store/store.ts';
import type { Attempt } from '../message.ts';
import { recordAttempt } from './record-attempt.ts';

/**
 * Records the outcome of an attempt held under `owner`'s lease: `sent`, `failed`, or
 * `deferred` until `nextAttemptAt`. Returns false when the lease was lost (another dispatcher
 * took the message over), in which case nothing is written.
 */
export async function completeMessage(
  db: Executor,
  args: { id: string; owner: string; attempt: Attempt; nextAttemptAt?: number },
): Promise<boolean> {
  const { id, owner, attempt } = args;
  const now = attempt.finishedAt;
  const result = await db
    .updateTable('messages')
    .set({
      status: attempt.outcome,
      route: attempt.route,
      last_reply: attempt.reply,
      last_error_code: attempt.errorCode,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
      ...(attempt.outcome === 'sent' ? { sent_at: now } : {}),
      ...(attempt.outcome === 'failed' ? { failed_at: now } : {}),
      ...(attempt.outcome === 'deferred' ? { next_attempt_at: args.nextAttemptAt ?? now } : {}),
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await recordAttempt(db, id, attempt);
  return true;
}
