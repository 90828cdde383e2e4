// HTTP: /v1/organizations/{orgId}/members — managed by the platform; owners may read them.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../api/access-control.ts';
import type { Relais } from '../relais.ts';
import { ROLES, USER_ID_PATTERN, type Member } from './member.ts';
import { organizationIdParam } from './organization.routes.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.ts';

const params = z.object({ orgId: organizationIdParam, userId: z.string().regex(USER_ID_PATTERN, 'must be 1-128 letters, digits, "-", "_", "." or "@"') });

const memberBody = z.object({
  userId: z.string(),
  organizationId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  canSignInWithPassword: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const personName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  // eslint-disable-next-line no-control-regex
  .refine((v) => !/[\x00-\x1f\x7f]/.test(v), 'must not contain control characters');

function present(m: Member): z.infer<typeof memberBody> {
  return {
    userId: m.userId,
    organizationId: m.organizationId,
    email: m.email,
    name: m.name,
    role: m.role,
    canSignInWithPassword: m.hasPassword,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
}

export function memberRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/organizations/:orgId/members',
      {
        config: { permission: 'members:read' },
        schema: {
          tags: ['members'],
          summary: "List an organization's members and their roles",
          operationId: 'listMembers',
          params: z.object({ orgId: organizationIdParam }),
          response: { 200: z.object({ members: z.array(memberBody) }) },
        },
      },
      async (request) => ({ members: (await relais.members.list(request.params.orgId)).map(present) }),
    );

    app.put(
      '/v1/organizations/:orgId/members/:userId',
      {
        config: { permission: 'members:manage' },
        schema: {
          tags: ['members'],
          summary: 'Add a member or change their email, name, role or password',
          operationId: 'putMember',
          errors: ['email_taken'],
          description:
            'userId is the platform\'s own id for the person; a user may belong to several organizations (email and name are shared). Answers 201 when the membership is new, 200 otherwise. Demoting a member ends their sessions. `password` (write-only, never returned) lets them sign in with POST /v1/sessions, for standalone deployments.',
          params,
          body: z.strictObject({
            email: z.email('must be an email address').max(254),
            name: personName,
            role: z.enum(ROLES),
            password: z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH).optional(),
          }),
          response: { 200: memberBody, 201: memberBody },
        },
      },
      async (request, reply) => {
        const { orgId, userId } = request.params;
        const { member, created } = await relais.members.put(orgId, userId, request.body, actorOf(request));
        return reply.status(created ? 201 : 200).send(present(member));
      },
    );

    app.delete(
      '/v1/organizations/:orgId/members/:userId',
      {
        config: { permission: 'members:manage' },
        schema: {
          tags: ['members'],
          summary: 'Remove a member from the organization (their sessions end at once)',
          operationId: 'removeMember',
          errors: ['member_not_found'],
          params,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await relais.members.remove(request.params.orgId, request.params.userId, actorOf(request));
        return reply.status(204).send(null);
      },
    );
  };
}
