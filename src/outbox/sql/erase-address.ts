// Finding and anonymising one person's address in an organization's mail: messages (content,
// subject, replies), recipients, attempts' replies and events. Used by erasure only.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db, Executor } from '../../store/store.ts';
import { DELETED_CONTENT } from './prune-content.ts';

/** What an erased address becomes in recipients lists and replies. */
export const ERASED = '[erased]';

/** `lower(column) like '%address%'`, with LIKE's wildcards in the address taken literally. */
function mentions(column: string, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(coalesce(${sql.ref(column)}, '')) like ${pattern} escape '!'`;
}

export function likePattern(address: string): string {
  return `%${address.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** Replaces every spelling (any case) of the address in a text. */
export function redact(text: string, address: string): string {
  return text.replace(new RegExp(address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), ERASED);
}

/** Up to `limit` messages of the organization after `afterId` (id order) that name or mention the address. */
export async function findMessagesMentioning(
  db: Executor,
  args: { organizationId: string; address: string; afterId: string; limit: number; status?: 'sending' },
): Promise<{ id: string; status: string; lastReply: string | null }[]> {
  const pattern = likePattern(args.address);
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'status', 'last_reply'])
    .where('organization_id', '=', args.organizationId)
    .where('id', '>', args.afterId)
    .$if(args.status !== undefined, (q) => q.where('status', '=', args.status as string))
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('message_recipients')
            .select('message_recipients.message_id')
            .whereRef('message_recipients.message_id', '=', 'messages.id')
            .where((w) => w.or([w('message_recipients.address', '=', args.address.toLowerCase()), mentions('message_recipients.reply', pattern)])),
        ),
        eb.exists(
          eb
            .selectFrom('message_attempts')
            .select('message_attempts.message_id')
            .whereRef('message_attempts.message_id', '=', 'messages.id')
            .where(mentions('message_attempts.reply', pattern)),
        ),
        mentions('messages.payload', pattern),
        mentions('messages.subject', pattern),
        mentions('messages.last_reply', pattern),
        mentions('messages.idempotency_key', pattern),
      ]),
    )
    .orderBy('id')
    .limit(args.limit)
    .execute();
  return rows.map((r) => ({ id: r.id, status: r.status, lastReply: r.last_reply }));
}

export interface ErasedMessages {
  /** Messages whose content was deleted. */
  messages: number;
  /** Queued or deferred messages cancelled (failed, `recipient_erased`) before their content went. */
  cancelled: number;
  /** Recipient entries anonymised. */
  recipients: number;
  /** Attempts whose server reply named the address. */
  attempts: number;
  /** Messages being sent at that moment, left as they are. */
  inFlight: number;
}

/**
 * Anonymises the given messages in one transaction: queued and deferred ones are cancelled
 * first (they will not be sent), then each loses its content, subject and idempotency key,
 * the address becomes `[erased]` in its recipients and in every reply. A message a dispatcher
 * is sending right now is left alone and counted in `inFlight`.
 */
export async function eraseFromMessages(
  db: Db,
  args: { organizationId: string; address: string; ids: string[]; now: number },
): Promise<ErasedMessages> {
  const { address, now } = args;
  const pattern = likePattern(address);
  return db.transaction().execute(async (tx) => {
    const cancelled = await tx
      .updateTable('messages')
      .set({ status: 'failed', failed_at: now, updated_at: now, last_error_code: 'recipient_erased', lease_owner: null, lease_expires_at: null })
      .where('organization_id', '=', args.organizationId)
      .where('id', 'in', args.ids)
      .where('status', 'in', ['queued', 'deferred'])
      .executeTakeFirst();
    const rows = await tx
      .selectFrom('messages')
      .select(['id', 'last_reply', 'content_deleted_at'])
      .where('organization_id', '=', args.organizationId)
      .where('id', 'in', args.ids)
      .where('status', '!=', 'sending')
      .execute();
    const ids = rows.map((r) => r.id);
    for (const row of rows) {
      await tx
        .updateTable('messages')
        .set({
          payload: DELETED_CONTENT,
          content_deleted_at: row.content_deleted_at ?? now,
          subject: null,
          idempotency_key: null,
          request_hash: null,
          last_reply: row.last_reply === null ? null : redact(row.last_reply, address),
        })
        .where('id', '=', row.id)
        .where('status', '!=', 'sending')
        .execute();
    }
    let recipients = 0;
    let attempts = 0;
    if (ids.length > 0) {
      const named = await tx
        .updateTable('message_recipients')
        .set({ address: ERASED })
        .where('message_id', 'in', ids)
        .where('address', '=', address.toLowerCase())
        .executeTakeFirst();
      recipients = Number(named.numUpdatedRows);
      const replies = await tx
        .selectFrom('message_recipients')
        .select(['message_id', 'position', 'reply'])
        .where('message_id', 'in', ids)
        .where(mentions('reply', pattern))
        .execute();
      for (const r of replies) {
        await tx
          .updateTable('message_recipients')
          .set({ reply: redact(r.reply ?? '', address) })
          .where('message_id', '=', r.message_id)
          .where('position', '=', r.position)
          .execute();
      }
      const attemptRows = await tx.selectFrom('message_attempts').select(['id', 'reply']).where('message_id', 'in', ids).where(mentions('reply', pattern)).execute();
      for (const a of attemptRows) {
        await tx.updateTable('message_attempts').set({ reply: redact(a.reply ?? '', address) }).where('id', '=', a.id).execute();
      }
      attempts = attemptRows.length;
    }
    return { messages: ids.length, cancelled: Number(cancelled.numUpdatedRows), recipients, attempts, inFlight: args.ids.length - ids.length };
  });
}

/** Replaces the address in up to `limit` of the organization's events after `afterId`; returns the last id looked at and how many changed. */
export async function eraseFromEvents(
  db: Executor,
  args: { organizationId: string; address: string; afterId: number; limit: number },
): Promise<{ lastId: number | undefined; changed: number }> {
  const rows = await db
    .selectFrom('events')
    .select(['id', 'data'])
    .where('organization_id', '=', args.organizationId)
    .where('id', '>', args.afterId)
    .where(mentions('data', likePattern(args.address)))
    .orderBy('id')
    .limit(args.limit)
    .execute();
  for (const row of rows) {
    await db.updateTable('events').set({ data: redact(row.data, args.address) }).where('id', '=', row.id).execute();
  }
  const last = rows[rows.length - 1];
  return { lastId: last === undefined ? undefined : Number(last.id), changed: rows.length };
}
