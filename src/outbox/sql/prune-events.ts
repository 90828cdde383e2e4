import type { Capabilities } from '../../store/capabilities.ts';
import type { Executor } from '../../store/store.ts';

/** Deletes up to `limit` platform events written before `before`, oldest first; returns how many went. */
export async function pruneEvents(
  db: Executor,
  caps: Capabilities,
  args: { before: number; limit: number; organizationId?: string },
): Promise<number> {
  const result = await db
    .deleteFrom('events')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('events')
        .select('id')
        .where('created_at', '<', args.before)
        .$if(args.organizationId !== undefined, (q) => q.where('organization_id', '=', args.organizationId as string))
        .orderBy('created_at')
        .limit(args.limit)
        .$if(caps.skipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
