// HTTP: /v1/webhook-endpoints — the platform's signed webhooks (platform key only).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Relais } from '../relais.ts';
import { SUBSCRIBABLE_EVENT_TYPES } from './webhook-endpoint.service.ts';
import type { DeliveryAttempt, WebhookEndpoint } from './webhook.ts';

const endpointIdParam = z.object({ id: z.string().regex(/^whe_[0-9a-f]{28}$/, 'must be a webhook endpoint id (whe_…)') });
const url = z.string().min(1).max(2000);
const events = z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES)).min(1).max(SUBSCRIBABLE_EVENT_TYPES.length);
const description = z
  .string()
  .trim()
  .max(500, 'must be at most 500 characters')
  // eslint-disable-next-line no-control-regex
  .refine((v) => !/[\x00-\x1f\x7f]/.test(v), 'must not contain control characters');

const endpointBody = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()).nullable().describe('Event types sent to this endpoint; null for every type.'),
  enabled: z.boolean(),
  disabledReason: z.enum(['gone', 'failing']).nullable().describe('Why Relais disabled it: the endpoint answered 410 (gone), or 5 days without success (failing).'),
  disabledAt: z.string().nullable(),
  failingSince: z.string().nullable().describe('First failed attempt since the last success.'),
  previousSecretExpiresAt: z.string().nullable().describe('After a rotation, until when the previous secret still signs beside the new one.'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const endpointWithSecret = endpointBody.extend({ secret: z.string().describe('whsec_…: shown once; verify webhook-signature with it.') });

const attemptBody = z.object({
  id: z.number(),
  at: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  attempt: z.number(),
  httpStatus: z.number().nullable(),
  durationMs: z.number(),
  error: z.string().nullable().describe('Why no answer came: timeout, address_not_allowed, host_not_found, connection_failed.'),
  response: z.string().nullable().describe('The start of the answer body (500 characters).'),
  nextRetryAt: z.string().nullable(),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function presentEndpoint(e: WebhookEndpoint): z.infer<typeof endpointBody> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    disabledAt: iso(e.disabledAt),
    failingSince: iso(e.failingSince),
    previousSecretExpiresAt: iso(e.previousSecretUntil),
    createdAt: new Date(e.createdAt).toISOString(),
    updatedAt: new Date(e.updatedAt).toISOString(),
  };
}

function presentAttempt(a: DeliveryAttempt): z.infer<typeof attemptBody> {
  return {
    id: a.id,
    at: new Date(a.at).toISOString(),
    eventId: a.eventId,
    eventType: a.eventType,
    attempt: a.attempt,
    httpStatus: a.httpStatus,
    durationMs: a.durationMs,
    error: a.errorCode,
    response: a.response,
    nextRetryAt: iso(a.nextAttemptAt),
  };
}

export function webhookRoutes(relais: Relais): FastifyPluginAsyncZod {
  const tags = ['webhooks'];
  const config = { permission: 'webhooks:manage' } as const;
  return async (app) => {
    app.post(
      '/v1/webhook-endpoints',
      {
        config,
        schema: {
          tags,
          operationId: 'createWebhookEndpoint',
          errors: ['webhook_url_invalid', 'webhook_url_not_allowed', 'webhook_host_not_found'],
          summary: 'Add a webhook endpoint',
          description:
            'Relais POSTs every event (or those listed in `events`) to `url`, signed as Standard Webhooks say. The `secret` is shown only in this answer. `https://` and a public address are required unless RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS=true.',
          body: z.strictObject({ url, events: events.optional(), description: description.optional() }),
          response: { 201: endpointWithSecret },
        },
      },
      async (request, reply) => {
        const { endpoint, secret } = await relais.webhooks.create(request.body);
        return reply.status(201).send({ ...presentEndpoint(endpoint), secret });
      },
    );

    app.get(
      '/v1/webhook-endpoints',
      {
        config,
        schema: { tags, operationId: 'listWebhookEndpoints', summary: 'List webhook endpoints', response: { 200: z.object({ endpoints: z.array(endpointBody) }) } },
      },
      async () => ({ endpoints: (await relais.webhooks.list()).map(presentEndpoint) }),
    );

    app.get(
      '/v1/webhook-endpoints/:id',
      { config, schema: { tags, operationId: 'getWebhookEndpoint', errors: ['webhook_endpoint_not_found'], summary: 'Read a webhook endpoint', params: endpointIdParam, response: { 200: endpointBody } } },
      async (request) => presentEndpoint(await relais.webhooks.get(request.params.id)),
    );

    app.patch(
      '/v1/webhook-endpoints/:id',
      {
        config,
        schema: {
          tags,
          operationId: 'updateWebhookEndpoint',
          errors: ['webhook_endpoint_not_found', 'webhook_url_invalid', 'webhook_url_not_allowed', 'webhook_host_not_found'],
          summary: 'Change a webhook endpoint (URL, events, description) or enable or disable it',
          params: endpointIdParam,
          body: z.strictObject({ url: url.optional(), events: events.nullable().optional(), description: description.nullable().optional(), enabled: z.boolean().optional() }),
          response: { 200: endpointBody },
        },
      },
      async (request) => presentEndpoint(await relais.webhooks.change(request.params.id, request.body)),
    );

    app.delete(
      '/v1/webhook-endpoints/:id',
      { config, schema: { tags, operationId: 'deleteWebhookEndpoint', errors: ['webhook_endpoint_not_found'], summary: 'Delete a webhook endpoint and its delivery log', params: endpointIdParam, response: { 204: z.null() } } },
      async (request, reply) => {
        await relais.webhooks.remove(request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/webhook-endpoints/:id/rotate-secret',
      {
        config,
        schema: {
          tags,
          operationId: 'rotateWebhookSecret',
          errors: ['webhook_endpoint_not_found'],
          summary: 'Replace the signing secret; the previous one keeps signing beside it for 24 hours',
          params: endpointIdParam,
          response: { 200: endpointWithSecret },
        },
      },
      async (request) => {
        const { endpoint, secret } = await relais.webhooks.rotateSecret(request.params.id);
        return { ...presentEndpoint(endpoint), secret };
      },
    );

    app.post(
      '/v1/webhook-endpoints/:id/test',
      {
        config,
        schema: {
          tags,
          operationId: 'testWebhookEndpoint',
          errors: ['webhook_endpoint_not_found', 'webhook_endpoint_disabled'],
          summary: 'Send a webhook.test event to this endpoint',
          params: endpointIdParam,
          response: { 202: z.object({ queued: z.literal(true) }) },
        },
      },
      async (request, reply) => {
        await relais.webhooks.sendTest(request.params.id);
        return reply.status(202).send({ queued: true });
      },
    );

    app.get(
      '/v1/webhook-endpoints/:id/deliveries',
      {
        config,
        schema: {
          tags,
          operationId: 'listWebhookDeliveries',
          errors: ['webhook_endpoint_not_found'],
          summary: 'Delivery attempts at this endpoint, newest first',
          params: endpointIdParam,
          querystring: z.strictObject({ cursor: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
          response: { 200: z.object({ deliveries: z.array(attemptBody), nextCursor: z.number().nullable() }) },
        },
      },
      async (request) => {
        const { cursor, limit } = request.query;
        const attempts = await relais.webhooks.attempts(request.params.id, { limit, ...(cursor !== undefined ? { before: cursor } : {}) });
        return { deliveries: attempts.map(presentAttempt), nextCursor: attempts.length === limit ? (attempts.at(-1)?.id ?? null) : null };
      },
    );
  };
}
