import type { Capabilities } from '../../store/capabilities.ts';
import type { Executor } from '../../store/store.ts';
import { RETRY_SAFE } from '../../store/reconnecting-driver.ts';
import type { ClaimedMessage } from '../message.ts';
import { recipientsOf } from './recipients.ts';
import { toClaimedMessage } from './rows.ts';

/**
 * Leases up to `limit` due messages to `owner` until `leaseUntil`: queued or deferred ones
 * whose time has come, and `sending` ones whose lease expired (their dispatcher died).
 * Each claim counts as an attempt. Messages of `excludeOrganizations` (whose relay this
 * dispatcher cannot use right now) stay in the queue for others or for later.
 * `sending` ones leased to `owner` but not in `inFlight` are taken again at once: a claim
 * whose answer the database could not deliver (lost connection) leased them to no one.
 */
export async function claimMessages(
  db: Executor,
  caps: Capabilities,
  args: { owner: string; now: number; leaseUntil: number; limit: number; excludeOrganizations?: readonly string[]; inFlight?: readonly string[] },
): Promise<ClaimedMessage[]> {
  const { owner, now, leaseUntil, limit } = args;
  const excluded = args.excludeOrganizations ?? [];
  const rows = await db
    .updateTable('messages')
    .set((eb) => ({
      status: 'sending',
      lease_owner: owner,
      lease_expires_at: leaseUntil,
      attempts: eb('attempts', '+', 1),
      updated_at: now,
    }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('messages')
        .select('id')
        .where((w) =>
          w.or([
            w.and([w('status', 'in', ['queued', 'deferred']), w('next_attempt_at', '<=', now)]),
            w.and([w('status', '=', 'sending'), w('lease_expires_at', '<', now)]),
            w.and([
              w('status', '=', 'sending'),
              w('lease_owner', '=', owner),
              ...(args.inFlight && args.inFlight.length > 0 ? [w('id', 'not in', args.inFlight)] : []),
            ]),
          ]),
        )
        .$if(excluded.length > 0, (q) => q.where('organization_id', 'not in', excluded))
        .orderBy('next_attempt_at')
        .limit(limit)
        .$if(caps.skipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .returningAll()
    // Retried after a dropped connection: messages it leased before the answer was lost are
    // leased to `owner` and not in flight, so the retry takes them again.
    .modifyEnd(RETRY_SAFE)
    .execute();
  const recipients = await recipientsOf(db, rows.map((r) => r.id));
  return rows.map((row) => toClaimedMessage(row, recipients.get(row.id) ?? []));
}
