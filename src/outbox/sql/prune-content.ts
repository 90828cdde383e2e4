import type { Capabilities } from '../../store/capabilities.ts';
import type { Executor } from '../../store/store.ts';

/** What a message's payload becomes once its content is deleted: no recipient, no body. */
export const DELETED_CONTENT = '{}';

/**
 * Deletes the content (bodies, attachments, custom headers, recipients' names: the stored
 * payload) of up to `limit` final messages that became final before `before`: `sent` ones by
 * their sent time, `failed` ones by their failure. Queued, deferred and sending messages are
 * never touched. One short statement; rows another process is pruning are skipped where the
 * database can (PostgreSQL), and a row pruned twice changes once (`content_deleted_at` is
 * null only the first time). Returns how many messages lost their content.
 */
export async function pruneContent(
  db: Executor,
  caps: Capabilities,
  args: { status: 'sent' | 'failed'; before: number; now: number; limit: number; organizationId?: string },
): Promise<number> {
  const finishedAt = args.status === 'sent' ? 'sent_at' : 'failed_at';
  const result = await db
    .updateTable('messages')
    .set({ payload: DELETED_CONTENT, content_deleted_at: args.now })
    .where('status', '=', args.status)
    .where('content_deleted_at', 'is', null)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('messages')
        .select('id')
        .where('status', '=', args.status)
        .where('content_deleted_at', 'is', null)
        .where(finishedAt, '<', args.before)
        .$if(args.organizationId !== undefined, (q) => q.where('organization_id', '=', args.organizationId as string))
        .orderBy(finishedAt)
        .limit(args.limit)
        .$if(caps.skipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
