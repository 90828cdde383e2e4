// HTTP: /v1/organizations/{orgId}/retention — how long the organization's personal data is kept.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../api/access-control.ts';
import type { Relais } from '../relais.ts';
import { organizationIdParam } from './organization.routes.ts';

const limits = z.object({ contentDays: z.number(), logDays: z.number(), eventsDays: z.number(), auditDays: z.number() });
const ownDays = z.number().int().min(1, 'must be at least 1 day').nullable().optional();

export const retentionBody = z.object({
  operator: limits.describe("the operator's limits (RELAIS_RETENTION_*)"),
  organization: z
    .object({ contentDays: z.number().nullable(), logDays: z.number().nullable(), eventsDays: z.number().nullable(), auditDays: z.number().nullable() })
    .describe("the organization's own, shorter limits; null follows the operator's"),
  effective: limits.describe('what applies to this organization'),
});

export function retentionRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    const params = z.object({ orgId: organizationIdParam });
    app.get(
      '/v1/organizations/:orgId/retention',
      {
        config: { permission: 'retention:read' },
        schema: { tags: ['personal data'], operationId: 'getRetention', summary: "How long the organization's personal data is kept, in days", params, response: { 200: retentionBody } },
      },
      async (request) => relais.retention.get(request.params.orgId),
    );

    app.put(
      '/v1/organizations/:orgId/retention',
      {
        config: { permission: 'retention:write' },
        schema: {
          tags: ['personal data'],
          operationId: 'setRetention',
          errors: ['retention_too_long'],
          summary: "Shorten the organization's retention limits (never beyond the operator's)",
          description:
            'Each limit in days, or null (or absent) to follow the operator\'s. A limit longer than the operator\'s is refused (422 `retention_too_long`). Content never outlives the delivery log. Recorded in the audit log.',
          params,
          body: z.strictObject({ contentDays: ownDays, logDays: ownDays, eventsDays: ownDays, auditDays: ownDays }),
          response: { 200: retentionBody },
        },
      },
      async (request) => relais.retention.set(request.params.orgId, request.body, actorOf(request)),
    );
  };
}
