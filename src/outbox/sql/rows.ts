// Maps outbox rows to domain records; rows never leave src/outbox/sql.
import type { MessageStatus, Route } from '../../glossary.ts';
import type { MessageAttemptsTable, MessagesTable } from '../../store/schema.ts';
import type { Attempt, ClaimedMessage, MessageContent, MessageRecord, MessageSource, Recipient } from '../message.ts';
import type { Selectable } from 'kysely';

export function toMessageRecord(row: MessagesTable): MessageRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    status: row.status as MessageStatus,
    category: row.category,
    messageId: row.message_id_header,
    recipientCount: row.recipient_count,
    sizeBytes: row.size_bytes,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    route: row.route as Route | null,
    lastReply: row.last_reply,
    lastErrorCode: row.last_error_code,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
    failedAt: row.failed_at,
    resentFrom: row.resent_from,
    subject: row.subject,
    source: row.source === 'smtp' ? 'smtp' : ('api' satisfies MessageSource),
    contentDeletedAt: row.content_deleted_at ?? null,
  };
}

export function toClaimedMessage(row: MessagesTable, recipients: Recipient[]): ClaimedMessage {
  return {
    ...toMessageRecord(row),
    content: JSON.parse(row.payload) as MessageContent,
    leaseOwner: row.lease_owner ?? '',
    recipients,
    forcedRoute: row.forced_route === 'platform' ? 'platform' : null,
  };
}

export function toAttempt(row: Selectable<MessageAttemptsTable>): Attempt {
  return {
    attempt: row.attempt,
    route: row.route as Route,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome as Attempt['outcome'],
    reply: row.reply,
    errorCode: row.error_code,
    failureClass: row.failure_class as Attempt['failureClass'],
  };
}
