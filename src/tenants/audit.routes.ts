// HTTP: /v1/organizations/{orgId}/audit-log — for owners and the platform.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Relais } from '../relais.ts';
import type { AuditEntry } from './audit.ts';
import { organizationIdParam } from './organization.routes.ts';

const entryBody = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ kind: z.enum(['api_key', 'user', 'system']), id: z.string(), label: z.string() }),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

function present(e: AuditEntry): z.infer<typeof entryBody> {
  return { id: e.id, at: new Date(e.at).toISOString(), actor: e.actor, action: e.action, target: e.target, details: e.details };
}

export function auditRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/organizations/:orgId/audit-log',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags: ['audit'],
          summary: 'Who changed what in the organization, newest first',
          operationId: 'listAuditLog',
          params: z.object({ orgId: organizationIdParam }),
          querystring: z.strictObject({
            cursor: z.string().max(100).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: { 200: z.object({ entries: z.array(entryBody), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const page = await relais.audit.list(request.params.orgId, request.query);
        return { entries: page.entries.map(present), nextCursor: page.nextCursor };
      },
    );
  };
}
