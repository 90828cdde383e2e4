// HTTP: "Connect with Microsoft / Google" — POST /v1/organizations/{orgId}/smtp-relay/connect.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../api/access-control.ts';
import { authenticate } from '../../api/auth.ts';
import type { Actor } from '../../tenants/actor.ts';
import { isValidAddress } from '../../outbox/message.ts';
import type { Relais } from '../../relais.ts';
import { organizationIdParam } from '../../tenants/organization.routes.ts';
import { CONNECT_PROVIDERS, type ConnectOutcome } from './relay-connect.ts';

const params = z.object({ orgId: organizationIdParam });

/** Where providers send the browser back: `${RELAIS_PUBLIC_URL}/oauth/callback`. */
export const CONNECT_CALLBACK_PATH = '/oauth/callback';
/** The settings page, which shows how the connection ended and runs the check at once. */
const SETTINGS_PAGE = '/settings/emails/smtp';

export const connectBody = z.strictObject({
  provider: z.enum(CONNECT_PROVIDERS),
  /** The mailbox to suggest on the provider's sign-in page. */
  loginHint: z
    .string()
    .max(254, 'must be at most 254 characters')
    .refine((v) => !/[\r\n\0]/.test(v) && isValidAddress(v), { message: 'must be an email address such as formation@example.fr', params: { code: 'invalid_address' } })
    .optional(),
});

export function relayConnectRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/organizations/:orgId/smtp-relay/connect',
      {
        config: { permission: 'relay:write' },
        schema: {
          tags: ['smtp relay'],
          summary: 'Start "Connect with Microsoft / Google": the provider page where the owner signs in and consents',
          operationId: 'connectRelay',
          errors: ['oauth_provider_not_configured', 'invalid_address'],
          description:
            'Answers the provider authorization URL to open in the browser (authorization code with PKCE; a single-use state bound to this organization and person, valid 10 minutes). ' +
            `The provider sends the browser back to ${'`${RELAIS_PUBLIC_URL}/oauth/callback`'}, which sets the relay's sign-in and returns to the settings page. ` +
            'A provider the platform has not registered an application with answers `oauth_provider_not_configured`.',
          params,
          body: connectBody,
          response: { 200: z.object({ authorizationUrl: z.string() }) },
        },
      },
      async (request) => relais.relayConnect.start(request.params.orgId, request.body.provider, request.body.loginHint, actorOf(request)),
    );

    // The provider sends the browser back here (outside /v1: a navigation, not an API call).
    // Its URL carries a one-time code and state: never cached, never sent on as a Referer.
    app.get(
      CONNECT_CALLBACK_PATH,
      {
        config: { noStore: true },
        helmet: { referrerPolicy: { policy: 'no-referrer' } },
        schema: {
          hide: true,
          querystring: z.object({ state: z.string().max(200).optional(), code: z.string().max(4096).optional(), error: z.string().max(200).optional() }),
        },
      },
      async (request, reply) => {
        let caller: Actor | undefined;
        try {
          caller = await authenticate(relais, request);
        } catch {
          caller = undefined;
        }
        let outcome: ConnectOutcome;
        try {
          ({ outcome } = await relais.relayConnect.complete(request.query, caller));
        } catch (error) {
          // A browser navigation: the settings page explains, the log keeps the cause.
          request.log.error({ err: error }, 'could not complete Connect with Microsoft / Google');
          outcome = 'oauth_connect_failed';
        }
        const target = outcome === 'connected' ? `${SETTINGS_PAGE}?connect=connected` : `${SETTINGS_PAGE}?connect_error=${outcome}`;
        return reply.redirect(target, 303);
      },
    );
  };
}
