import type { Executor } from '../../store/store.ts';
import type { Recipient, RecipientStatus } from '../message.ts';

export async function insertRecipients(db: Executor, messageId: string, recipients: Omit<Recipient, 'status' | 'reply'>[], now: number): Promise<void> {
  if (recipients.length === 0) return;
  await db
    .insertInto('message_recipients')
    .values(
      recipients.map((r) => ({
        message_id: messageId,
        position: r.position,
        kind: r.kind,
        address: r.address.toLowerCase(),
        status: 'pending',
        reply: null,
        updated_at: now,
      })),
    )
    .execute();
}

/** Recipients of the given messages, in message order. */
export async function recipientsOf(db: Executor, messageIds: string[]): Promise<Map<string, Recipient[]>> {
  const byMessage = new Map<string, Recipient[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .selectFrom('message_recipients')
    .selectAll()
    .where('message_id', 'in', messageIds)
    .orderBy('message_id')
    .orderBy('position')
    .execute();
  for (const row of rows) {
    const list = byMessage.get(row.message_id) ?? [];
    list.push({
      position: row.position,
      kind: row.kind as Recipient['kind'],
      address: row.address,
      status: row.status as RecipientStatus,
      reply: row.reply,
    });
    byMessage.set(row.message_id, list);
  }
  return byMessage;
}

/** Records recipients' new state: one statement per distinct (status, reply), usually one in all. */
export async function updateRecipients(
  db: Executor,
  messageId: string,
  updates: { position: number; status: RecipientStatus; reply: string | null }[],
  now: number,
): Promise<void> {
  const groups = new Map<string, { status: RecipientStatus; reply: string | null; positions: number[] }>();
  for (const u of updates) {
    const key = JSON.stringify([u.status, u.reply]);
    const group = groups.get(key) ?? { status: u.status, reply: u.reply, positions: [] };
    group.positions.push(u.position);
    groups.set(key, group);
  }
  for (const g of groups.values()) {
    await db
      .updateTable('message_recipients')
      .set({ status: g.status, reply: g.reply, updated_at: now })
      .where('message_id', '=', messageId)
      .where('position', 'in', g.positions)
      .execute();
  }
}
