// HTTP: POST /v1/embed-sessions (the platform asks for a sign-in link) and GET /embed (the
// person's browser exchanges it for a session cookie, then lands on the settings UI).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sessionCookieOptions } from '../api/auth.ts';
import type { Relais } from '../relais.ts';
import { USER_ID_PATTERN } from './member.ts';
import { organizationIdParam } from './organization.routes.ts';
import { SESSION_COOKIE } from './session.ts';

export function embedRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/embed-sessions',
      {
        config: { permission: 'embed-sessions:create' },
        schema: {
          tags: ['sessions'],
          summary: 'Create a single-use sign-in link for a member (embedding the settings page)',
          operationId: 'createEmbedSession',
          errors: ['organization_not_found', 'member_not_found'],
          description:
            'Open `url` in the member\'s browser (e.g. as the src of an iframe) within a minute: it signs them in to that organization only and shows the settings page. Each link works once.',
          body: z.strictObject({ organizationId: organizationIdParam, userId: z.string().regex(USER_ID_PATTERN, 'is not a valid user id') }),
          response: { 201: z.object({ token: z.string(), url: z.string(), expiresAt: z.string() }) },
        },
      },
      async (request, reply) => {
        const link = await relais.embed.issue(request.body.organizationId, request.body.userId);
        return reply.status(201).send({ ...link, expiresAt: new Date(link.expiresAt).toISOString() });
      },
    );

    app.get(
      '/embed',
      {
        // The token is in the URL: keep it out of caches and out of the next page's Referer
        // (set before the route runs, so refusals carry them too).
        config: { noStore: true },
        helmet: { referrerPolicy: { policy: 'no-referrer' } },
        schema: {
          hide: true,
          querystring: z.object({ token: z.string().max(2048).default('') }),
        },
      },
      async (request, reply) => {
        const { token, session } = await relais.embed.exchange(request.query.token);
        reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(relais.config.publicUrl, session.expiresAt));
        return reply.redirect(`/?org=${encodeURIComponent(session.organizationId ?? '')}`, 303);
      },
    );
  };
}
