// HTTP: /v1/organizations/{orgId}/messages
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MESSAGE_STATUSES, type Locale, type PresetId } from '../glossary.ts';
import { noFields } from '../api/openapi.ts';
import { readerLocale } from '../api/reader-locale.ts';
import type { Relais } from '../relais.ts';
import { EXPLANATIONS, explainById, type ExplanationId } from '../smtp/explanations.ts';
import { organizationIdParam } from '../tenants/organization.routes.ts';
import type { Attempt, MessageRecord } from './message.ts';
import { MESSAGE_SOURCES, sendMessageSchema } from './message.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const statusEnum = z.enum(MESSAGE_STATUSES);
const routeEnum = z.enum(['platform', 'relay', 'fallback']);

const attemptBody = z.object({
  attempt: z.number(),
  route: routeEnum,
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.enum(['sent', 'deferred', 'failed']),
  reply: z.string().nullable(),
  errorCode: z.string().nullable(),
  /** temporary, recipient-permanent, relay-config or message-rejected (the classification table's reading). */
  classification: z.enum(['temporary', 'recipient-permanent', 'relay-config', 'message-rejected']).nullable(),
  /** What the error code means and what to do, in the reader's language. */
  explanation: z.object({ title: z.string(), cause: z.string(), fix: z.array(z.string()) }).optional(),
});

const recipientBody = z.object({
  kind: z.enum(['to', 'cc', 'bcc']),
  address: z.string(),
  status: z.enum(['pending', 'sent', 'failed']),
  reply: z.string().nullable(),
  position: z.number(),
});

const messageBody = z.object({
  id: z.string(),
  organizationId: z.string(),
  status: statusEnum,
  category: z.string().nullable(),
  messageId: z.string(),
  recipientCount: z.number(),
  sizeBytes: z.number(),
  attempts: z.number(),
  route: routeEnum.nullable(),
  lastReply: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  nextAttemptAt: z.string().nullable(),
  sentAt: z.string().nullable(),
  failedAt: z.string().nullable(),
  resentFrom: z.string().nullable(),
  subject: z.string().nullable(),
  /** How the platform handed it over: `api` (HTTP) or `smtp` (SMTP submission). */
  source: z.enum(MESSAGE_SOURCES),
  /** When retention or an erasure deleted the content (bodies, attachments, headers, names); null while kept. */
  contentDeletedAt: z.string().nullable(),
});

/** GET …/messages: one page of the delivery log, each message with its recipients' addresses. */
export const messagePageBody = z.object({ messages: z.array(messageBody.extend({ to: z.array(z.string()) })), nextCursor: z.string().nullable() });

/** GET …/messages/{id}: one message with its recipients and attempts. */
export const messageDetailBody = messageBody.extend({ recipients: z.array(recipientBody), history: z.array(attemptBody) });

export function presentMessage(m: MessageRecord): z.infer<typeof messageBody> {
  return {
    id: m.id,
    organizationId: m.organizationId,
    status: m.status,
    category: m.category,
    messageId: m.messageId,
    recipientCount: m.recipientCount,
    sizeBytes: m.sizeBytes,
    attempts: m.attempts,
    route: m.route,
    lastReply: m.lastReply,
    lastErrorCode: m.lastErrorCode,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
    nextAttemptAt: m.status === 'queued' || m.status === 'deferred' ? iso(m.nextAttemptAt) : null,
    sentAt: iso(m.sentAt),
    failedAt: iso(m.failedAt),
    resentFrom: m.resentFrom,
    subject: m.subject,
    source: m.source,
    contentDeletedAt: iso(m.contentDeletedAt),
  };
}

function isExplained(a: Attempt): boolean {
  return a.errorCode !== null && Object.hasOwn(EXPLANATIONS, a.errorCode);
}

function presentAttempt(a: Attempt, context: { locale: Locale; preset?: PresetId }): z.infer<typeof attemptBody> {
  const explained = isExplained(a) ? explainById(a.errorCode as ExplanationId, context) : undefined;
  const { failureClass, ...rest } = a;
  return {
    ...rest,
    classification: failureClass,
    startedAt: new Date(a.startedAt).toISOString(),
    finishedAt: new Date(a.finishedAt).toISOString(),
    ...(explained ? { explanation: { title: explained.title, cause: explained.cause, fix: explained.fix } } : {}),
  };
}

const DAY_MS = 24 * 3600_000;
const dateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);

/** POST …/messages/{id}/resend: the new message, linked to the failed one. */
export const resentBody = z.object({ id: z.string(), status: statusEnum, resentFrom: z.string() });

/** GET …/messages: the delivery log's filters and paging. */
export const messageListQuery = z.strictObject({
  status: statusEnum.optional(),
  recipient: z.string().max(254).optional().describe('any recipient (to, cc, bcc), exact address'),
  category: z.string().max(40).optional(),
  from: dateOrTime.optional().describe('created at or after: an ISO 8601 time, or a day (from its start, UTC)'),
  to: dateOrTime.optional().describe('created before: an ISO 8601 time, or a day (that day included, UTC)'),
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be 1-255 printable ASCII characters without spaces');

export function messageRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/organizations/:orgId/messages',
      {
        config: { permission: 'messages:send' },
        schema: {
          tags: ['messages'],
          summary: 'Send an email for an organization',
          operationId: 'sendMessage',
          errors: ['idempotency_conflict', 'invalid_address', 'header_injection', 'too_many_recipients', 'no_recipients', 'no_body'],
          description:
            'Validates and commits the message, then answers 202; the dispatcher delivers it through the organization relay when active, else the platform sender. Repeat a request safely with the same Idempotency-Key.',
          params: z.object({ orgId: organizationIdParam }),
          headers: z.object({ 'idempotency-key': idempotencyKey.optional() }),
          body: sendMessageSchema,
          response: { 202: z.object({ id: z.string(), status: statusEnum }) },
        },
      },
      async (request, reply) => {
        const { message } = await relais.accept.accept(request.params.orgId, request.body, request.headers['idempotency-key']);
        return reply.status(202).send({ id: message.id, status: message.status });
      },
    );

    app.get(
      '/v1/organizations/:orgId/messages',
      {
        config: { permission: 'messages:read' },
        schema: {
          tags: ['messages'],
          summary: 'List messages, newest first',
          operationId: 'listMessages',
          params: z.object({ orgId: organizationIdParam }),
          querystring: messageListQuery,
          response: { 200: messagePageBody },
        },
      },
      async (request) => {
        await relais.organizations.get(request.params.orgId);
        const { from, to, ...rest } = request.query;
        const page = await relais.messages.list({
          organizationId: request.params.orgId,
          ...rest,
          ...(from ? { createdFrom: Date.parse(from) } : {}),
          ...(to ? { createdBefore: Date.parse(to) + (isDay(to) ? DAY_MS : 0) } : {}),
        });
        return { messages: page.messages.map((m) => ({ ...presentMessage(m), to: m.to })), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/v1/organizations/:orgId/messages/:messageId',
      {
        config: { permission: 'messages:read' },
        schema: {
          tags: ['messages'],
          summary: 'Read one message with its recipients and attempts',
          operationId: 'getMessage',
          errors: ['message_not_found'],
          params: z.object({ orgId: organizationIdParam, messageId: z.string().max(100) }),
          response: { 200: messageDetailBody },
        },
      },
      async (request) => {
        const { orgId, messageId } = request.params;
        const { message, recipients, attempts } = await relais.messages.get(orgId, messageId);
        // The language and the provider matter only when an attempt has something to explain.
        let context: { locale: Locale; preset?: PresetId } = { locale: 'fr' };
        if (attempts.some(isExplained)) {
          const org = await relais.organizations.get(orgId);
          const preset = (await relais.relays.find(orgId)).relay?.preset;
          context = { locale: readerLocale(request.headers['accept-language'], org.locale), ...(preset ? { preset } : {}) };
        }
        return { ...presentMessage(message), recipients, history: attempts.map((a) => presentAttempt(a, context)) };
      },
    );

    app.post(
      '/v1/organizations/:orgId/messages/:messageId/resend',
      {
        config: { permission: 'messages:resend' },
        schema: {
          tags: ['messages'],
          summary: 'Send a failed message again, as a new message linked to the original',
          operationId: 'resendMessage',
          errors: ['message_not_found', 'message_not_failed', 'message_content_expired'],
          params: z.object({ orgId: organizationIdParam, messageId: z.string().max(100) }),
          body: noFields,
          response: { 202: resentBody },
        },
      },
      async (request, reply) => {
        const { message } = await relais.accept.resend(request.params.orgId, request.params.messageId);
        return reply.status(202).send({ id: message.id, status: message.status, resentFrom: request.params.messageId });
      },
    );
  };
}
