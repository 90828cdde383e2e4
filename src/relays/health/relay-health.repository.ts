// All SQL for relay health: failures in a row, incidents (status failing), probes. Every write
// names the relay version it is about and the status it expects, so a save by the owner (a
// new version) or another process's transition is never overwritten.
import type { Executor } from '../../store/store.ts';
import { toRelay } from '../settings/relay.repository.ts';
import type { Relay } from '../relay.ts';

interface RelayRef {
  relayId: string;
  version: number;
}

/** The columns that keep a relay's last failure (what the status card explains). */
function lastFailure(args: { errorCode: string; reply: string | null; at: number }) {
  return { failure_error_code: args.errorCode, failure_reply: args.reply, failure_at: args.at };
}

/** One more relay-level failure of an active relay; returns the count in a row, or undefined when the relay changed or is no longer active. */
export async function countRelayFailure(
  db: Executor,
  args: RelayRef & { errorCode: string; reply: string | null; at: number },
): Promise<number | undefined> {
  const row = await db
    .updateTable('smtp_relays')
    .set((eb) => ({
      consecutive_failures: eb('consecutive_failures', '+', 1),
      ...lastFailure(args),
    }))
    .where('id', '=', args.relayId)
    .where('version', '=', args.version)
    .where('status', '=', 'active')
    .returning('consecutive_failures')
    .executeTakeFirst();
  return row ? Number(row.consecutive_failures) : undefined;
}

/** A delivery through the relay: the failures in a row start again from zero. */
export async function resetRelayFailures(db: Executor, relayId: string): Promise<void> {
  await db.updateTable('smtp_relays').set({ consecutive_failures: 0 }).where('id', '=', relayId).where('consecutive_failures', '>', 0).execute();
}

/** Opens an incident: active → failing. False when another process did it first or the relay changed. */
export async function markRelayFailing(db: Executor, args: RelayRef & { now: number; nextProbeAt: number }): Promise<boolean> {
  const result = await db
    .updateTable('smtp_relays')
    .set({ status: 'failing', status_changed_at: args.now, failing_since: args.now, next_probe_at: args.nextProbeAt, probe_attempts: 0, updated_at: args.now })
    .where('id', '=', args.relayId)
    .where('version', '=', args.version)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends an incident: failing → active. False when another process did it first or the relay changed. */
export async function markRelayRecovered(db: Executor, args: RelayRef & { now: number }): Promise<boolean> {
  const result = await db
    .updateTable('smtp_relays')
    .set({ status: 'active', status_changed_at: args.now, consecutive_failures: 0, failing_since: null, next_probe_at: null, probe_attempts: 0, updated_at: args.now })
    .where('id', '=', args.relayId)
    .where('version', '=', args.version)
    .where('status', '=', 'failing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Failing relays whose probe is due, among those a probe can tell about (`explanations`). */
export async function listDueProbes(db: Executor, args: { now: number; explanations: readonly string[] }): Promise<Relay[]> {
  const rows = await db
    .selectFrom('smtp_relays')
    .selectAll()
    .where('status', '=', 'failing')
    .where('next_probe_at', '<=', args.now)
    .where('failure_error_code', 'in', args.explanations)
    .execute();
  return rows.map(toRelay);
}

/** The next probe time among failing relays a probe can tell about. */
export async function nextProbeAt(db: Executor, explanations: readonly string[]): Promise<number | undefined> {
  const row = await db
    .selectFrom('smtp_relays')
    .select((eb) => eb.fn.min<number>('next_probe_at').as('at'))
    .where('status', '=', 'failing')
    .where('failure_error_code', 'in', explanations)
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
}

/**
 * Takes the due probe (or trial send) of a failing relay for this process until `leaseUntil`;
 * false when another process took it. A taker that dies leaves it due again at `leaseUntil`.
 */
export async function claimProbe(db: Executor, args: RelayRef & { now: number; leaseUntil: number }): Promise<boolean> {
  const result = await db
    .updateTable('smtp_relays')
    .set({ next_probe_at: args.leaseUntil })
    .where('id', '=', args.relayId)
    .where('version', '=', args.version)
    .where('status', '=', 'failing')
    .where('next_probe_at', '<=', args.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A probe or trial failed: the relay stays failing until the next one, further away. */
export async function recordProbeFailure(
  db: Executor,
  args: RelayRef & { errorCode: string; reply: string | null; at: number; nextProbeAt: number },
): Promise<void> {
  await db
    .updateTable('smtp_relays')
    .set((eb) => ({
      probe_attempts: eb('probe_attempts', '+', 1),
      next_probe_at: args.nextProbeAt,
      ...lastFailure(args),
    }))
    .where('id', '=', args.relayId)
    .where('version', '=', args.version)
    .where('status', '=', 'failing')
    .execute();
}

/** A trial told nothing (a temporary failure): the next message may try again at once. */
export async function reopenProbe(db: Executor, args: RelayRef & { now: number }): Promise<void> {
  await db
    .updateTable('smtp_relays')
    .set({ next_probe_at: args.now })
    .where('id', '=', args.relayId)
    .where('version', '=', args.version)
    .where('status', '=', 'failing')
    .execute();
}
