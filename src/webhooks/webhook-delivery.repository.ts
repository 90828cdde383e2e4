// All SQL about deliveries (one event on its way to one endpoint) and their attempts.
import type { Capabilities } from '../store/capabilities.ts';
import type { Db, Executor } from '../store/store.ts';
import type { ClaimedDelivery, DeliveryAttempt, DeliveryStatus } from './webhook.ts';

export async function insertDeliveries(
  db: Executor,
  rows: { id: string; endpointId: string; eventId: string; eventType: string; payload: string; now: number }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('webhook_deliveries')
    .values(
      rows.map((r) => ({
        id: r.id,
        endpoint_id: r.endpointId,
        event_id: r.eventId,
        event_type: r.eventType,
        payload: r.payload,
        status: 'pending',
        attempts: 0,
        next_attempt_at: r.now,
        lease_owner: null,
        lease_expires_at: null,
        created_at: r.now,
        updated_at: r.now,
      })),
    )
    .execute();
}

/**
 * Leases up to `limit` due deliveries of enabled endpoints to `owner`: pending ones whose time
 * has come and `delivering` ones whose lease expired (their process died). Counts the attempt.
 */
export async function claimDeliveries(
  db: Executor,
  caps: Capabilities,
  args: { owner: string; now: number; leaseUntil: number; limit: number; inFlight: readonly string[] },
): Promise<ClaimedDelivery[]> {
  const { owner, now, leaseUntil, limit } = args;
  const rows = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({ status: 'delivering', lease_owner: owner, lease_expires_at: leaseUntil, attempts: eb('attempts', '+', 1), updated_at: now }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('webhook_deliveries')
        .select('id')
        .where((w) =>
          w.or([
            w.and([w('status', '=', 'pending'), w('next_attempt_at', '<=', now)]),
            w.and([w('status', '=', 'delivering'), w('lease_expires_at', '<', now)]),
          ]),
        )
        .$if(args.inFlight.length > 0, (q) => q.where('id', 'not in', args.inFlight))
        .where('endpoint_id', 'in', (sub) => sub.selectFrom('webhook_endpoints').select('id').where('enabled', '=', 1))
        .orderBy('next_attempt_at')
        .orderBy('created_at')
        .limit(limit)
        .$if(caps.skipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .returningAll()
    .execute();
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    payload: r.payload,
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
  }));
}

/** Records the outcome if `owner` still holds the lease; false when it lost it. */
export async function settleDelivery(
  db: Executor,
  args: { id: string; owner: string; status: DeliveryStatus; nextAttemptAt?: number; now: number },
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({
      status: args.status,
      lease_owner: null,
      lease_expires_at: null,
      ...(args.nextAttemptAt !== undefined ? { next_attempt_at: args.nextAttemptAt } : {}),
      updated_at: args.now,
    })
    .where('id', '=', args.id)
    .where('status', '=', 'delivering')
    .where('lease_owner', '=', args.owner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function renewDeliveryLeases(db: Executor, args: { owner: string; ids: readonly string[]; leaseUntil: number }): Promise<void> {
  if (args.ids.length === 0) return;
  await db
    .updateTable('webhook_deliveries')
    .set({ lease_expires_at: args.leaseUntil })
    .where('id', 'in', args.ids)
    .where('lease_owner', '=', args.owner)
    .where('status', '=', 'delivering')
    .execute();
}

/** Gives unfinished deliveries back (shutdown): due now, the interrupted attempt not counted. */
export async function releaseDeliveryLeases(db: Executor, args: { owner: string; ids: readonly string[]; now: number }): Promise<number> {
  if (args.ids.length === 0) return 0;
  const result = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({ status: 'pending', lease_owner: null, lease_expires_at: null, next_attempt_at: args.now, attempts: eb('attempts', '-', 1) }))
    .where('id', 'in', args.ids)
    .where('lease_owner', '=', args.owner)
    .where('status', '=', 'delivering')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Pending deliveries of an endpoint Relais disabled will not be sent. */
export async function dropPendingDeliveries(db: Executor, endpointId: string, now: number): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'dropped', lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('endpoint_id', '=', endpointId)
    .where('status', 'in', ['pending', 'delivering'])
    .execute();
}

/** When the next pending delivery of an enabled endpoint falls due (for the dispatcher's sleep). */
export async function nextDeliveryDue(db: Executor): Promise<number | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.min('next_attempt_at').as('due'))
    .where('status', '=', 'pending')
    .where('endpoint_id', 'in', (sub) => sub.selectFrom('webhook_endpoints').select('id').where('enabled', '=', 1))
    .executeTakeFirst();
  return row?.due === null || row?.due === undefined ? undefined : Number(row.due);
}

export async function insertAttempt(db: Executor, a: Omit<DeliveryAttempt, 'id'> & { endpointId: string }): Promise<void> {
  await db
    .insertInto('webhook_attempts')
    .values({
      delivery_id: a.deliveryId,
      endpoint_id: a.endpointId,
      event_id: a.eventId,
      event_type: a.eventType,
      attempt: a.attempt,
      at: a.at,
      http_status: a.httpStatus,
      duration_ms: a.durationMs,
      error_code: a.errorCode,
      response: a.response,
      next_attempt_at: a.nextAttemptAt,
    })
    .execute();
}

/** Attempts at one endpoint, newest first; `before` is the last id of the previous page. */
export async function listAttempts(db: Executor, args: { endpointId: string; before?: number; limit: number }): Promise<DeliveryAttempt[]> {
  const rows = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('endpoint_id', '=', args.endpointId)
    .$if(args.before !== undefined, (q) => q.where('id', '<', args.before as number))
    .orderBy('id', 'desc')
    .limit(args.limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    deliveryId: r.delivery_id,
    eventId: r.event_id,
    eventType: r.event_type,
    attempt: Number(r.attempt),
    at: Number(r.at),
    httpStatus: r.http_status === null ? null : Number(r.http_status),
    durationMs: Number(r.duration_ms),
    errorCode: r.error_code,
    response: r.response,
    nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
  }));
}

/** Deliveries waiting or under way, by status (for the metrics). */
export async function countOpenDeliveries(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => ['status', eb.fn.countAll().as('n')])
    .where('status', 'in', ['pending', 'delivering'])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Deliveries that will never be sent again: their place in the history only. */
const FINAL_STATUSES = ['delivered', 'failed', 'dropped'] as const satisfies readonly DeliveryStatus[];

/**
 * Deletes up to `limit` final deliveries (delivered, failed, dropped) that became final before
 * `before`, with their attempts; pending and delivering ones are never deleted. One short
 * transaction; on PostgreSQL the rows are locked as they are chosen and rows another process
 * holds are skipped, so several processes prune side by side. Returns how many deliveries went.
 */
export async function pruneDeliveries(db: Db, caps: Capabilities, args: { before: number; limit: number }): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const rows = await tx
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', 'in', FINAL_STATUSES)
      .where('updated_at', '<', args.before)
      .orderBy('updated_at')
      .limit(args.limit)
      .$if(caps.skipLocked, (q) => q.forUpdate().skipLocked())
      .execute();
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return 0;
    await tx.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
    const result = await tx.deleteFrom('webhook_deliveries').where('id', 'in', ids).where('status', 'in', FINAL_STATUSES).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
