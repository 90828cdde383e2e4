import type { MessageStatus } from '../../glossary.ts';
import type { Executor } from '../../store/store.ts';
import type { Attempt, MessageRecord } from '../message.ts';
import { toAttempt, toMessageRecord } from './rows.ts';

export async function findMessage(db: Executor, organizationId: string, id: string): Promise<MessageRecord | undefined> {
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toMessageRecord(row) : undefined;
}

export async function findByIdempotencyKey(
  db: Executor,
  organizationId: string,
  key: string,
): Promise<{ record: MessageRecord; requestHash: string | null } | undefined> {
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row ? { record: toMessageRecord(row), requestHash: row.request_hash } : undefined;
}

/** Newest first; `before` is the id of the last message of the previous page. */
export async function listMessages(
  db: Executor,
  args: { organizationId: string; status?: MessageStatus; before?: string; limit: number },
): Promise<MessageRecord[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('organization_id', '=', args.organizationId)
    .$if(args.status !== undefined, (q) => q.where('status', '=', args.status as MessageStatus))
    .$if(args.before !== undefined, (q) => q.where('id', '<', args.before as string))
    .orderBy('id', 'desc')
    .limit(args.limit)
    .execute();
  return rows.map(toMessageRecord);
}

export async function listAttempts(db: Executor, messageId: string): Promise<Attempt[]> {
  const rows = await db
    .selectFrom('message_attempts')
    .selectAll()
    .where('message_id', '=', messageId)
    .orderBy('attempt')
    .orderBy('id')
    .execute();
  return rows.map(toAttempt);
}

/** Messages waiting or in flight, for the queue-depth gauge. */
export async function countQueued(db: Executor): Promise<Record<'queued' | 'deferred' | 'sending', number>> {
  const rows = await db
    .selectFrom('messages')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'in', ['queued', 'deferred', 'sending'])
    .groupBy('status')
    .execute();
  const counts = { queued: 0, deferred: 0, sending: 0 };
  for (const r of rows) counts[r.status as keyof typeof counts] = Number(r.n);
  return counts;
}

/** When the dispatcher next has something to do: the earliest due time or lease expiry. */
export async function nextWakeUp(db: Executor): Promise<number | undefined> {
  const due = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.min<number>('next_attempt_at').as('at'))
    .where('status', 'in', ['queued', 'deferred'])
    .executeTakeFirst();
  const lease = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.min<number>('lease_expires_at').as('at'))
    .where('status', '=', 'sending')
    .executeTakeFirst();
  const times = [due?.at, lease?.at].filter((t): t is number => t !== null && t !== undefined).map(Number);
  return times.length > 0 ? Math.min(...times) : undefined;
}
