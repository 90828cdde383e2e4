// Reading messages (the delivery log) with their recipients and attempts.
import { AppError } from '../errors.ts';
import type { Executor } from '../store/store.ts';
import type { Attempt, MessageRecord, Recipient } from './message.ts';
import { findMessage, listAttempts, listMessages, type MessageFilter } from './sql/find-messages.ts';
import { recipientsOf } from './sql/recipients.ts';

export interface MessagePage {
  /** Each message with the addresses it was sent to (`to` only). */
  messages: (MessageRecord & { to: string[] })[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface MessageDetail {
  message: MessageRecord;
  recipients: Recipient[];
  attempts: Attempt[];
}

export class MessageQueryService {
  constructor(private readonly db: Executor) {}

  async get(organizationId: string, id: string): Promise<MessageDetail> {
    const message = await findMessage(this.db, organizationId, id);
    if (!message) throw new AppError('message_not_found', `No message "${id}" in this organization.`);
    const recipients = (await recipientsOf(this.db, [id])).get(id) ?? [];
    return { message, recipients, attempts: await listAttempts(this.db, id) };
  }

  async list(filter: MessageFilter & { cursor?: string; limit: number }): Promise<MessagePage> {
    const { cursor, limit, ...where } = filter;
    const rows = await listMessages(this.db, { ...where, ...(cursor ? { before: cursor } : {}), limit: limit + 1 });
    const page = rows.slice(0, limit);
    const recipients = await recipientsOf(this.db, page.map((m) => m.id));
    return {
      messages: page.map((m) => ({ ...m, to: (recipients.get(m.id) ?? []).filter((r) => r.kind === 'to').map((r) => r.address) })),
      nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }
}
