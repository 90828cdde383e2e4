import type { MessageStatus } from '../../glossary.ts';
import type { Executor } from '../../store/store.ts';
import type { Attempt, MessageContent, MessageRecord } from '../message.ts';
import { toAttempt, toMessageRecord } from './rows.ts';

export async function findMessage(db: Executor, organizationId: string, id: string): Promise<MessageRecord | undefined> {
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toMessageRecord(row) : undefined;
}

export async function findByIdempotencyKey(
  db: Executor,
  organizationId: string,
  key: string,
): Promise<{ record: MessageRecord; requestHash: string | null } | undefined> {
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row ? { record: toMessageRecord(row), requestHash: row.request_hash } : undefined;
}

/** The message an SMTP client submitted under this Message-ID, if any (however old). */
export async function findBySubmittedMessageId(db: Executor, organizationId: string, messageId: string): Promise<MessageRecord | undefined> {
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('submitted_message_id', '=', messageId)
    .executeTakeFirst();
  return row ? toMessageRecord(row) : undefined;
}

/** Lets a Message-ID be submitted again (its idempotency window is over); the message keeps it as its Message-ID. */
export async function forgetSubmittedMessageId(db: Executor, organizationId: string, id: string): Promise<void> {
  await db.updateTable('messages').set({ submitted_message_id: null }).where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

export interface MessageFilter {
  organizationId: string;
  status?: MessageStatus;
  /** Any recipient (to, cc or bcc), compared case-insensitively. */
  recipient?: string;
  category?: string;
  createdFrom?: number;
  createdBefore?: number;
}

/** Newest first; `before` is the id of the last message of the previous page. */
export async function listMessages(db: Executor, args: MessageFilter & { before?: string; limit: number }): Promise<MessageRecord[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('organization_id', '=', args.organizationId)
    .$if(args.status !== undefined, (q) => q.where('status', '=', args.status as MessageStatus))
    .$if(args.category !== undefined, (q) => q.where('category', '=', args.category as string))
    .$if(args.createdFrom !== undefined, (q) => q.where('created_at', '>=', args.createdFrom as number))
    .$if(args.createdBefore !== undefined, (q) => q.where('created_at', '<', args.createdBefore as number))
    .$if(args.recipient !== undefined, (q) =>
      q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('message_recipients')
            .select('message_recipients.message_id')
            .whereRef('message_recipients.message_id', '=', 'messages.id')
            .where('message_recipients.address', '=', (args.recipient as string).toLowerCase()),
        ),
      ),
    )
    .$if(args.before !== undefined, (q) => q.where('id', '<', args.before as string))
    .orderBy('id', 'desc')
    .limit(args.limit)
    .execute();
  return rows.map(toMessageRecord);
}

/** The stored content of a message, for a resend; `content` is null once retention or an erasure deleted it. */
export async function findContent(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<{ content: MessageContent | null; category: string | null; contentDeletedAt: number | null } | undefined> {
  const row = await db
    .selectFrom('messages')
    .select(['payload', 'category', 'content_deleted_at'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const deletedAt = row.content_deleted_at ?? null;
  return { content: deletedAt === null ? (JSON.parse(row.payload) as MessageContent) : null, category: row.category, contentDeletedAt: deletedAt };
}

export async function listAttempts(db: Executor, messageId: string): Promise<Attempt[]> {
  const rows = await db
    .selectFrom('message_attempts')
    .selectAll()
    .where('message_id', '=', messageId)
    .orderBy('attempt')
    .orderBy('id')
    .execute();
  return rows.map(toAttempt);
}
