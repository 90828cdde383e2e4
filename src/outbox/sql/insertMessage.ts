import type { Insertable } from 'kysely';
import type { Executor } from '../../store/store.ts';
import type { MessagesTable } from '../../store/schema.ts';

/** Writes a newly accepted message into the outbox as `queued`. */
export async function insertMessage(db: Executor, row: Insertable<MessagesTable>): Promise<void> {
  await db.insertInto('messages').values(row).execute();
}
