// Reading messages and their attempts for the API.
import type { MessageStatus } from '../glossary.ts';
import { AppError } from '../errors.ts';
import type { Executor } from '../store/store.ts';
import type { Attempt, MessageRecord } from './message.ts';
import { findMessage, listAttempts, listMessages } from './sql/findMessages.ts';

export interface MessagePage {
  messages: MessageRecord[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export class MessageQueryService {
  constructor(private readonly db: Executor) {}

  async get(organizationId: string, id: string): Promise<{ message: MessageRecord; attempts: Attempt[] }> {
    const message = await findMessage(this.db, organizationId, id);
    if (!message) throw new AppError('message_not_found', `No message "${id}" in this organization.`);
    return { message, attempts: await listAttempts(this.db, id) };
  }

  async list(organizationId: string, args: { status?: MessageStatus; cursor?: string; limit: number }): Promise<MessagePage> {
    const rows = await listMessages(this.db, {
      organizationId,
      ...(args.status ? { status: args.status } : {}),
      ...(args.cursor ? { before: args.cursor } : {}),
      limit: args.limit + 1,
    });
    const page = rows.slice(0, args.limit);
    return { messages: page, nextCursor: rows.length > args.limit ? (page[page.length - 1]?.id ?? null) : null };
  }
}
