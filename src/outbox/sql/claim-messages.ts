import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Capabilities } from '../../store/capabilities.ts';
import type { Executor } from '../../store/store.ts';
import { RETRY_SAFE } from '../../store/reconnecting-driver.ts';
import type { ClaimedMessage } from '../message.ts';
import { recipientsOf } from './recipients.ts';
import { toClaimedMessage } from './rows.ts';

export interface ClaimArgs {
  owner: string;
  now: number;
  leaseUntil: number;
  limit: number;
  excludeOrganizations?: readonly string[];
  inFlight?: readonly string[];
  /** The organization served last: the turn goes on with the next one (round robin). */
  after?: string;
}

/**
 * Leases up to `limit` due messages to `owner` until `leaseUntil`; each claim counts as an
 * attempt. Organizations are served in turn: the claim takes the organizations with due mail
 * that follow `after` (wrapping around), shares the batch among them, and within each takes
 * `priority: "high"` messages first, then the longest waiting. A claim reads a few index entries
 * per organization served, whatever the size of the queue.
 * Also taken: `sending` messages whose lease expired (their dispatcher died), and `sending`
 * ones leased to `owner` but not in `inFlight` (a claim whose answer the database could not
 * deliver leased them to no one). Messages of `excludeOrganizations` (whose relay this
 * dispatcher cannot use right now) stay in the queue for others or for later.
 */
export async function claimMessages(db: Executor, caps: Capabilities, args: ClaimArgs): Promise<ClaimedMessage[]> {
  const { owner, now, leaseUntil, limit } = args;
  const excluded = args.excludeOrganizations ?? [];
  const stranded = await strandedLeases(db, args);
  const waitingIndex = caps.indexedBy ? sql`indexed by messages_waiting_by_organization` : sql``;
  const organizations = await organizationsInTurn(db, { now, limit: limit - stranded.length, after: args.after, excluded, waitingIndex });
  const waiting = await waitingMessages(db, { now, waitingIndex }, shareAmong(organizations, limit - stranded.length));
  const candidates = [...stranded, ...waiting];
  if (candidates.length === 0) return [];
  const rows = await db
    .updateTable('messages')
    .set((eb) => ({
      status: 'sending',
      lease_owner: owner,
      lease_expires_at: leaseUntil,
      attempts: eb('attempts', '+', 1),
      updated_at: now,
    }))
    // Another dispatcher may have taken a candidate since it was read: its state decides. With
    // SKIP LOCKED, a candidate another dispatcher is claiming right now is left to it.
    .where('id', 'in', caps.skipLocked ? (eb) => eb.selectFrom('messages').select('id').where('id', 'in', candidates).forUpdate().skipLocked() : candidates)
    .where((w): Expression<SqlBool> =>
      w.or([
        w.and([w('status', 'in', ['queued', 'deferred']), w('next_attempt_at', '<=', now)]),
        w.and([w('status', '=', 'sending'), w('lease_expires_at', '<', now)]),
        w.and([w('status', '=', 'sending'), w('lease_owner', '=', owner), ...(args.inFlight && args.inFlight.length > 0 ? [w('id', 'not in', args.inFlight)] : [])]),
      ]),
    )
    .returningAll()
    // Retried after a dropped connection: messages it leased before the answer was lost are
    // leased to `owner` and not in flight, so the retry takes them again.
    .modifyEnd(RETRY_SAFE)
    .execute();
  const recipients = await recipientsOf(db, rows.map((r) => r.id));
  const order = new Map(candidates.map((id, i) => [id, i]));
  rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return rows.map((row) => toClaimedMessage(row, recipients.get(row.id) ?? []));
}

/** Messages left `sending` by a dead dispatcher (lease expired) or by a claim whose answer was lost. */
async function strandedLeases(db: Executor, args: ClaimArgs): Promise<string[]> {
  const rows = await db
    .selectFrom('messages')
    .select('id')
    .where('status', '=', 'sending')
    .where((w) =>
      w.or([
        w('lease_expires_at', '<', args.now),
        w.and([w('lease_owner', '=', args.owner), ...(args.inFlight && args.inFlight.length > 0 ? [w('id', 'not in', args.inFlight)] : [])]),
      ]),
    )
    .$if((args.excludeOrganizations?.length ?? 0) > 0, (q) => q.where('organization_id', 'not in', args.excludeOrganizations as readonly string[]))
    .orderBy('lease_expires_at')
    .limit(args.limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Up to `limit` organizations with due mail, in id order from the one after `after`, wrapping
 * around: a skip scan of the waiting-messages index (one seek per organization).
 */
async function organizationsInTurn(
  db: Executor,
  args: { now: number; limit: number; after: string | undefined; excluded: readonly string[]; waitingIndex: RawBuilder<unknown> },
): Promise<string[]> {
  if (args.limit <= 0) return [];
  const following = await skipScan(db, { ...args, after: args.after ?? '' });
  if (following.length >= args.limit || args.after === undefined) return following;
  const wrapped = await skipScan(db, { ...args, after: '', limit: args.limit - following.length });
  return [...following, ...wrapped.filter((o) => !following.includes(o))];
}

async function skipScan(
  db: Executor,
  args: { now: number; limit: number; after: string; excluded: readonly string[]; waitingIndex: RawBuilder<unknown> },
): Promise<string[]> {
  const notExcluded = args.excluded.length > 0 ? sql`and organization_id not in (${sql.join(args.excluded)})` : sql``;
  const next = (after: RawBuilder<unknown> | string) => sql`(
    select organization_id from messages ${args.waitingIndex}
    where status in ('queued', 'deferred') and next_attempt_at <= ${args.now} and organization_id > ${after} ${notExcluded}
    order by organization_id limit 1)`;
  const { rows } = await sql<{ organization_id: string | null }>`
    with recursive turn(organization_id, n) as (
      select ${next(args.after)}, 1
      union all
      select ${next(sql.ref('turn.organization_id'))}, n + 1 from turn where organization_id is not null and n < ${args.limit}
    )
    select organization_id from turn where organization_id is not null`.execute(db);
  return rows.map((r) => r.organization_id).filter((o): o is string => o !== null);
}

/** How many messages each organization gets: the batch dealt out one by one, in turn. */
function shareAmong(organizations: string[], limit: number): [string, number][] {
  const shares = new Map<string, number>(organizations.map((o) => [o, 0]));
  for (let i = 0; i < limit && organizations.length > 0; i++) {
    const o = organizations[i % organizations.length] as string;
    shares.set(o, (shares.get(o) ?? 0) + 1);
  }
  return [...shares].filter(([, n]) => n > 0);
}

/** Each organization's next due messages, high priority first, then the longest waiting. */
async function waitingMessages(db: Executor, args: { now: number; waitingIndex: RawBuilder<unknown> }, shares: [string, number][]): Promise<string[]> {
  const { now } = args;
  if (shares.length === 0) return [];
  const perOrganization = shares.map(
    ([organizationId, n]) => sql`select id from (
      select id from messages ${args.waitingIndex}
      where organization_id = ${organizationId} and status in ('queued', 'deferred') and next_attempt_at <= ${now}
      order by priority_rank, next_attempt_at limit ${n}) as o`,
  );
  const { rows } = await sql<{ id: string }>`${sql.join(perOrganization, sql` union all `)}`.execute(db);
  return rows.map((r) => r.id);
}
