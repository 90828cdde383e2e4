// Accepting a message: validate, commit to the outbox, then wake the dispatcher.
import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import type { Store } from '../store/store.ts';
import { classifyDatabaseError } from '../store/database-faults.ts';
import { findOrganization } from '../tenants/tenants.ts';
import { estimateSize, toContent, type MessageContent, type MessageRecord, type SendMessageRequest } from './message.ts';
import { findByIdempotencyKey, findBySubmittedMessageId, findContent, findMessage, forgetSubmittedMessageId } from './sql/find-messages.ts';
import { insertMessage } from './sql/insert-message.ts';

export interface AcceptDeps {
  store: Store;
  clock: Clock;
  maxMessageBytes: number;
  /** Domain of generated Message-IDs, e.g. platform.example. */
  messageIdDomain: string;
  /** Called after the commit so that a dispatcher picks the message up at once. */
  onAccepted: (message: MessageRecord) => void;
}

export interface AcceptResult {
  message: MessageRecord;
  /** False when an earlier request with the same Idempotency-Key created the message. */
  created: boolean;
}

/** How long a submitted Message-ID names its message: the same one again within it is not sent twice. */
export const SUBMISSION_IDEMPOTENCY_MS = 24 * 3600_000;

/** A message submitted over SMTP, parsed and checked by the submission server. */
export interface Submission {
  content: MessageContent;
  /** The Message-ID the client submitted (`<…>`), kept as the message's own. */
  messageId?: string;
}

interface EnqueueOptions {
  category: string | null;
  idempotencyKey?: string;
  requestHash?: string;
  resentFrom?: string;
  submittedMessageId?: string;
  /** `high`: claimed before the organization's other waiting messages. */
  priority?: 'high' | 'normal';
}

export class AcceptService {
  constructor(private readonly deps: AcceptDeps) {}

  async accept(organizationId: string, request: SendMessageRequest, idempotencyKey?: string): Promise<AcceptResult> {
    return this.enqueue(organizationId, toContent(request), {
      category: request.category ?? null,
      ...(request.priority ? { priority: request.priority } : {}),
      ...(idempotencyKey ? { idempotencyKey, requestHash: hashRequest(request) } : {}),
    });
  }

  /**
   * Accepts a message submitted over SMTP. A Message-ID this organization already submitted in
   * the last 24 hours names that message instead (`created: false`): nothing is sent twice.
   */
  async acceptSubmission(organizationId: string, submission: Submission): Promise<AcceptResult> {
    return this.enqueue(organizationId, submission.content, {
      category: null,
      ...(submission.messageId ? { submittedMessageId: submission.messageId } : {}),
    });
  }

  /** Queues a failed message again as a new message (new id and Message-ID) linked to the original. */
  async resend(organizationId: string, messageId: string): Promise<AcceptResult> {
    const original = await findMessage(this.deps.store.db, organizationId, messageId);
    const stored = await findContent(this.deps.store.db, organizationId, messageId);
    if (!original || !stored) throw new AppError('message_not_found', `No message "${messageId}" in this organization.`);
    if (original.status !== 'failed') {
      throw new AppError('message_not_failed', `Only failed messages can be re-sent; this one is ${original.status}.`, { status: original.status });
    }
    if (stored.content === null) {
      const on = new Date(stored.contentDeletedAt ?? 0).toISOString();
      throw new AppError(
        'message_content_expired',
        `The content of this message was deleted on ${on} (retention or erasure), so it cannot be re-sent; send it again as a new message.`,
        { contentDeletedAt: on },
      );
    }
    return this.enqueue(organizationId, stored.content, { category: stored.category, resentFrom: messageId });
  }

  private async enqueue(organizationId: string, content: MessageContent, options: EnqueueOptions): Promise<AcceptResult> {
    const { store, clock } = this.deps;
    const { idempotencyKey, resentFrom, submittedMessageId } = options;
    const size = estimateSize(content);
    if (size > this.deps.maxMessageBytes) {
      throw new AppError(
        'message_too_large',
        `The message is ${formatBytes(size)}, more than the ${formatBytes(this.deps.maxMessageBytes)} allowed (attachments included).`,
        { sizeBytes: size, maxBytes: this.deps.maxMessageBytes },
      );
    }
    const requestHash = options.requestHash ?? null;
    const now = clock.now();
    const id = newId('msg', now);

    // Shares a transaction (and its fsync) with the accepts that arrive meanwhile; committed on return.
    const outcome = await store.commits.run(async (tx) => {
      if (!(await findOrganization(tx, organizationId))) {
        throw new AppError('organization_not_found', `No organization has the id "${organizationId}".`);
      }
      if (idempotencyKey) {
        const earlier = await findByIdempotencyKey(tx, organizationId, idempotencyKey);
        if (earlier) return { earlier };
      }
      if (submittedMessageId) {
        const earlier = await findBySubmittedMessageId(tx, organizationId, submittedMessageId);
        if (earlier && earlier.createdAt > now - SUBMISSION_IDEMPOTENCY_MS) return { earlier: { record: earlier, requestHash } };
        if (earlier) await forgetSubmittedMessageId(tx, organizationId, earlier.id);
      }
      const message = await insertMessage(tx, {
        id,
        organizationId,
        content,
        category: options.category,
        messageIdDomain: this.deps.messageIdDomain,
        now,
        sizeBytes: size,
        idempotencyKey: idempotencyKey ?? null,
        requestHash,
        resentFrom: resentFrom ?? null,
        ...(submittedMessageId ? { source: 'smtp' as const, submittedMessageId } : content.raw ? { source: 'smtp' as const } : {}),
        priority: options.priority ?? 'normal',
      });
      return { earlier: undefined, message };
    }).catch(async (error: unknown) => {
      // Two requests with the same key raced: the unique index let one through.
      if (idempotencyKey && isUniqueViolation(error)) {
        const earlier = await findByIdempotencyKey(store.db, organizationId, idempotencyKey);
        if (earlier) return { earlier };
      }
      // Two submissions of one Message-ID raced: the unique index let one through.
      if (submittedMessageId && isUniqueViolation(error)) {
        const earlier = await findBySubmittedMessageId(store.db, organizationId, submittedMessageId);
        if (earlier) return { earlier: { record: earlier, requestHash } };
      }
      // The connection dropped: the commit may have happened. The message's own id says.
      if (classifyDatabaseError(error) === 'connection') {
        const committed = await findMessage(store.db, organizationId, id).catch(() => undefined);
        if (committed) return { earlier: undefined, message: committed };
      }
      throw error;
    });

    if (outcome.earlier) {
      if (outcome.earlier.requestHash !== requestHash) {
        throw new AppError(
          'idempotency_conflict',
          'This Idempotency-Key was already used with a different request body. Use a new key for a different message.',
          { messageId: outcome.earlier.record.id },
        );
      }
      return { message: outcome.earlier.record, created: false };
    }
    this.deps.onAccepted(outcome.message);
    return { message: outcome.message, created: true };
  }
}

function hashRequest(request: SendMessageRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/** JSON with object keys sorted, so that key order does not change the hash. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | undefined;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === '23505';
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}
