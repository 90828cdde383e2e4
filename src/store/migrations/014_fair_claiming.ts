// Fair claiming: a message's priority (transactional mail first within its organization), and
// an index over the waiting messages of each organization in the order they are claimed, so
// that a claim visits a few entries per organization whatever the size of the queue.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // 0 for `priority: "high"`, 1 for the rest: the lower rank is claimed first.
  await db.schema.alterTable('messages').addColumn('priority_rank', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await sql`create index messages_waiting_by_organization on messages (organization_id, priority_rank, next_attempt_at) where status in ('queued', 'deferred')`.execute(db);
}
