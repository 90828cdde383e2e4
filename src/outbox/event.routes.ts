// HTTP: GET /v1/events — what happened to messages and relays, for the platform to follow.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Relais } from '../relais.ts';
import { EVENT_TYPES } from './event.ts';
import { listEvents } from './sql/events.ts';

const eventBody = z.object({
  id: z.number(),
  type: z.enum(EVENT_TYPES),
  organizationId: z.string(),
  messageId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

export function eventRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/events',
      {
        config: { permission: 'events:read' },
        schema: {
          tags: ['events'],
          summary: 'Read events after a given id, oldest first',
          operationId: 'listEvents',
          description:
            `${EVENT_TYPES.join(', ')}. Keep the last id you processed and pass it as \`after\` to read on. The same events are pushed to webhook endpoints (/v1/webhook-endpoints).`,
          querystring: z.strictObject({
            after: z.coerce.number().int().min(0).default(0),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            organizationId: z.string().max(64).optional(),
            type: z.enum(EVENT_TYPES).optional(),
          }),
          response: { 200: z.object({ events: z.array(eventBody), nextAfter: z.number() }) },
        },
      },
      async (request) => {
        const { after, limit, organizationId, type } = request.query;
        const events = await listEvents(relais.store.db, {
          after,
          limit,
          ...(organizationId ? { organizationId } : {}),
          ...(type ? { types: [type] } : {}),
        });
        return {
          events: events.map((e) => ({ ...e, createdAt: new Date(e.createdAt).toISOString() })),
          nextAfter: events.at(-1)?.id ?? after,
        };
      },
    );
  };
}
