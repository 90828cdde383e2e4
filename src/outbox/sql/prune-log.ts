import type { Capabilities } from '../../store/capabilities.ts';
import type { Db } from '../../store/store.ts';

/**
 * Deletes up to `limit` final messages that became final before `before` (`sent` by their
 * sent time, `failed` by their failure) with their recipients and attempts: their place in the
 * delivery log. Queued, deferred and sending messages are never deleted. One short transaction;
 * on PostgreSQL the rows are locked as they are chosen and rows another process holds are
 * skipped, so several processes prune side by side. Returns how many messages went.
 */
export async function pruneLog(
  db: Db,
  caps: Capabilities,
  args: { status: 'sent' | 'failed'; before: number; limit: number; organizationId?: string },
): Promise<number> {
  const finishedAt = args.status === 'sent' ? 'sent_at' : 'failed_at';
  return db.transaction().execute(async (tx) => {
    const rows = await tx
      .selectFrom('messages')
      .select('id')
      .where('status', '=', args.status)
      .where(finishedAt, '<', args.before)
      .$if(args.organizationId !== undefined, (q) => q.where('organization_id', '=', args.organizationId as string))
      .orderBy(finishedAt)
      .limit(args.limit)
      .$if(caps.skipLocked, (q) => q.forUpdate().skipLocked())
      .execute();
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return 0;
    await tx.deleteFrom('message_attempts').where('message_id', 'in', ids).execute();
    await tx.deleteFrom('message_recipients').where('message_id', 'in', ids).execute();
    const result = await tx.deleteFrom('messages').where('id', 'in', ids).where('status', '=', args.status).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
