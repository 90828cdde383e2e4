// HTTP: /v1/organizations
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, assertAllowed } from '../api/access-control.ts';
import type { Relais } from '../relais.ts';
import { ORGANIZATION_ID_PATTERN, type Organization } from './organization.ts';

export const organizationIdParam = z.string().regex(ORGANIZATION_ID_PATTERN, 'must be 1-64 letters, digits, "-" or "_"');

export const organizationBody = z.object({
  id: z.string(),
  name: z.string(),
  locale: z.enum(['fr', 'en']),
  features: z.object({ customSmtp: z.boolean() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  // eslint-disable-next-line no-control-regex
  .refine((v) => !/[\x00-\x1f\x7f]/.test(v), 'must not contain control characters');

export function presentOrganization(org: Organization): z.infer<typeof organizationBody> {
  return {
    id: org.id,
    name: org.name,
    locale: org.locale,
    features: { ...org.features },
    createdAt: new Date(org.createdAt).toISOString(),
    updatedAt: new Date(org.updatedAt).toISOString(),
  };
}

export function organizationRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/organizations',
      {
        config: { permission: 'organizations:create' },
        schema: {
          tags: ['organizations'],
          summary: 'Create an organization',
          operationId: 'createOrganization',
          errors: ['organization_exists'],
          body: z.strictObject({ id: organizationIdParam.optional(), name, locale: z.enum(['fr', 'en']).optional() }),
          response: { 201: organizationBody },
        },
      },
      async (request, reply) => {
        const org = await relais.organizations.create(request.body);
        return reply.status(201).send(presentOrganization(org));
      },
    );

    app.get(
      '/v1/organizations/:orgId',
      {
        config: { permission: 'organization:read' },
        schema: {
          tags: ['organizations'],
          summary: 'Read an organization',
          operationId: 'getOrganization',
          params: z.object({ orgId: organizationIdParam }),
          response: { 200: organizationBody },
        },
      },
      async (request) => presentOrganization(await relais.organizations.get(request.params.orgId)),
    );

    app.patch(
      '/v1/organizations/:orgId',
      {
        // Owners may switch feature flags; name and locale also need organization:update (the platform).
        config: { permission: 'features:update' },
        schema: {
          tags: ['organizations'],
          summary: 'Rename an organization, change its locale or its feature flags',
          operationId: 'updateOrganization',
          description: 'Owners (with a session) may change `features`; only the platform may change `name` and `locale`. Every change is recorded in the audit log.',
          params: z.object({ orgId: organizationIdParam }),
          body: z.strictObject({
            name: name.optional(),
            locale: z.enum(['fr', 'en']).optional(),
            features: z.strictObject({ customSmtp: z.boolean().optional() }).optional(),
          }),
          response: { 200: organizationBody },
        },
      },
      async (request) => {
        const { features, ...rest } = request.body;
        if (rest.name !== undefined || rest.locale !== undefined) assertAllowed(request, 'organization:update');
        const changes = { ...rest, ...(features?.customSmtp !== undefined ? { features: { customSmtp: features.customSmtp } } : {}) };
        return presentOrganization(await relais.organizations.change(request.params.orgId, changes, actorOf(request)));
      },
    );
  };
}
