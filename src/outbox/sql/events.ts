import type { Executor } from '../../store/store.ts';
import type { PlatformEvent, PlatformEventType } from '../event.ts';

export async function insertEvent(
  db: Executor,
  event: { organizationId: string; type: PlatformEventType; messageId?: string; data: Record<string, unknown>; at: number },
): Promise<void> {
  await db
    .insertInto('events')
    .values({
      organization_id: event.organizationId,
      type: event.type,
      message_id: event.messageId ?? null,
      data: JSON.stringify(event.data),
      created_at: event.at,
    })
    .execute();
}

/** Events after the given id, oldest first. */
export async function listEvents(
  db: Executor,
  args: { after: number; limit: number; organizationId?: string; types?: PlatformEventType[] },
): Promise<PlatformEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('id', '>', args.after)
    .$if(args.organizationId !== undefined, (q) => q.where('organization_id', '=', args.organizationId as string))
    .$if((args.types?.length ?? 0) > 0, (q) => q.where('type', 'in', args.types as PlatformEventType[]))
    .orderBy('id')
    .limit(args.limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    type: r.type as PlatformEventType,
    organizationId: r.organization_id,
    messageId: r.message_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
    createdAt: r.created_at,
  }));
}
