import type { Executor } from '../../store/store.ts';
import { RETRY_SAFE } from '../../store/reconnecting-driver.ts';

/** Extends the leases `owner` still holds, so long sends are not taken over by another dispatcher. */
export async function renewLeases(db: Executor, args: { owner: string; ids: string[]; leaseUntil: number }): Promise<void> {
  if (args.ids.length === 0) return;
  await db
    .updateTable('messages')
    .set({ lease_expires_at: args.leaseUntil })
    .where('lease_owner', '=', args.owner)
    .where('status', '=', 'sending')
    .where('id', 'in', args.ids)
    .modifyEnd(RETRY_SAFE)
    .execute();
}
