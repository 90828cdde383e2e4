// HTTP: /v1/sessions (email and password sign-in, the current session, sign-out).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../api/access-control.ts';
import { sessionCookieOptions } from '../api/auth.ts';
import { AppError } from '../errors.ts';
import type { Relais } from '../relais.ts';
import type { UserActor } from './actor.ts';
import { ROLES } from './member.ts';
import { organizationIdParam } from './organization.routes.ts';
import { PASSWORD_MAX_LENGTH } from './password.ts';
import { SESSION_COOKIE } from './session.ts';
import type { SessionView } from './session.service.ts';

export const sessionBody = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  memberships: z.array(z.object({ organizationId: z.string(), organizationName: z.string(), role: z.enum(ROLES) })),
  organizationId: z.string().nullable().describe('Set when the session is limited to one organization.'),
  csrfToken: z.string().describe('Send it in the x-csrf-token header of every POST, PUT, PATCH and DELETE made with this session.'),
  expiresAt: z.string(),
});

function present(view: SessionView): z.infer<typeof sessionBody> {
  return { ...view, expiresAt: new Date(view.expiresAt).toISOString() };
}

function userActorOf(actor: ReturnType<typeof actorOf>): UserActor {
  if (actor.kind !== 'user') throw new AppError('forbidden', 'Only a signed-in person has a session.');
  return actor;
}

export function sessionRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/sessions',
      {
        config: { permission: 'public' },
        schema: {
          tags: ['sessions'],
          summary: 'Sign in with email and password',
          operationId: 'signIn',
          errors: ['invalid_credentials', 'organization_not_found', 'rate_limited'],
          description:
            'For standalone deployments and the demo. Sets the relais_session cookie. After 5 failed attempts for one address (20 for one IP) within 15 minutes, answers 429 rate_limited with Retry-After.',
          security: [],
          body: z.strictObject({
            email: z.string().min(1).max(320),
            password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
            organizationId: organizationIdParam.optional().describe('Limit the session to this organization.'),
          }),
          response: { 201: sessionBody },
        },
      },
      async (request, reply) => {
        const { token, session, user } = await relais.sessions.signIn({ ...request.body, ip: request.ip });
        const view = await relais.sessions.describe({
          kind: 'user',
          userId: user.id,
          email: user.email,
          name: user.name,
          session: { idHash: session.idHash, organizationId: session.organizationId, csrfToken: session.csrfToken, expiresAt: session.expiresAt },
        });
        reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(relais.config.publicUrl, session.expiresAt));
        return reply.status(201).send(present(view));
      },
    );

    app.get(
      '/v1/sessions/current',
      {
        config: { permission: 'session:current' },
        schema: { tags: ['sessions'], operationId: 'getCurrentSession', summary: 'The signed-in person, their organizations and the CSRF token', response: { 200: sessionBody } },
      },
      async (request) => present(await relais.sessions.describe(userActorOf(actorOf(request)))),
    );

    app.delete(
      '/v1/sessions/current',
      {
        config: { permission: 'session:current' },
        schema: { tags: ['sessions'], operationId: 'signOut', summary: 'Sign out', response: { 204: z.null() } },
      },
      async (request, reply) => {
        await relais.sessions.end(userActorOf(actorOf(request)).session.idHash);
        reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(relais.config.publicUrl));
        return reply.status(204).send(null);
      },
    );
  };
}
