import type { Executor } from '../../store/store.ts';
import type { Attempt, MessageContent, MessageRecord } from '../message.ts';
import { toAttempt, toMessageRecord } from './rows.ts';

/** Up to `limit` of the organization's messages after `afterId`, oldest first, with their content when asked and still kept. */
export async function exportPage(
  db: Executor,
  args: { organizationId: string; afterId: string; limit: number; withContent: boolean },
): Promise<{ message: MessageRecord; content: MessageContent | null }[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('organization_id', '=', args.organizationId)
    .where('id', '>', args.afterId)
    .orderBy('id')
    .limit(args.limit)
    .execute();
  return rows.map((row) => ({
    message: toMessageRecord(row),
    content: args.withContent && (row.content_deleted_at ?? null) === null ? (JSON.parse(row.payload) as MessageContent) : null,
  }));
}

/** The attempts of the given messages, by message, in order. */
export async function attemptsOf(db: Executor, messageIds: string[]): Promise<Map<string, Attempt[]>> {
  const byMessage = new Map<string, Attempt[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db.selectFrom('message_attempts').selectAll().where('message_id', 'in', messageIds).orderBy('message_id').orderBy('attempt').orderBy('id').execute();
  for (const row of rows) {
    const list = byMessage.get(row.message_id) ?? [];
    list.push(toAttempt(row));
    byMessage.set(row.message_id, list);
  }
  return byMessage;
}
