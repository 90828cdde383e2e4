import type { Executor } from '../../store/store.ts';

/**
 * Fails a leased message that reached the maximum age while it was waiting (held for a
 * failing relay, or for a relay's quota): its pending recipients fail with it. No attempt is
 * recorded, as nothing was sent. Returns false when the lease was lost.
 */
export async function expireMessage(
  db: Executor,
  args: { id: string; owner: string; now: number; errorCode: string },
): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set((eb) => ({
      status: 'failed',
      attempts: eb('attempts', '-', 1),
      last_error_code: args.errorCode,
      lease_owner: null,
      lease_expires_at: null,
      failed_at: args.now,
      updated_at: args.now,
    }))
    .where('id', '=', args.id)
    .where('lease_owner', '=', args.owner)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await db
    .updateTable('message_recipients')
    .set({ status: 'failed', updated_at: args.now })
    .where('message_id', '=', args.id)
    .where('status', '=', 'pending')
    .execute();
  return true;
}
