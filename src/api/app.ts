// buildApp(config, deps): a ready Fastify app with every route, and no socket.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swaggerUi from '@fastify/swagger-ui';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import { createRelais, type Relais, type RelaisDeps } from '../relais.ts';
import cookie from '@fastify/cookie';
import { organizationRoutes } from '../tenants/organization.routes.ts';
import { memberRoutes } from '../tenants/member.routes.ts';
import { sessionRoutes } from '../tenants/session.routes.ts';
import { embedRoutes } from '../tenants/embed.routes.ts';
import { auditRoutes } from '../tenants/audit.routes.ts';
import { retentionRoutes } from '../tenants/retention.routes.ts';
import { erasureRoutes } from '../tenants/erasure.routes.ts';
import { exportRoutes } from '../outbox/export.routes.ts';
import { messageRoutes } from '../outbox/message.routes.ts';
import { eventRoutes } from '../outbox/event.routes.ts';
import { relayRoutes } from '../relays/settings/relay.routes.ts';
import { relayConnectRoutes } from '../relays/settings/relay-connect.routes.ts';
import { relayCheckRoutes } from '../relays/settings/relay-check.routes.ts';
import { webhookRoutes } from '../webhooks/webhook.routes.ts';
import type { CheckLimits } from '../relays/settings/check-budget.ts';
import { registerAccessControl } from './access-control.ts';
import { registerSecurityHeaders, useDocsPolicy } from './security-headers.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { healthRoutes } from './health.routes.ts';
import { registerOpenApi } from './openapi.ts';
import type { DevInbox } from '../dev/capture-server.ts';
import { devInboxRoutes } from '../dev/inbox.routes.ts';
import { indexSender, isUiNavigation, webAvailable, webRoutes } from './web.routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    relais: Relais;
  }
}

export interface AppDeps extends RelaisDeps {
  /** The demo's capture server, shown at /dev/inbox. */
  devInbox?: DevInbox;
  /** Flight checks allowed per organization and per person (default 10 an hour). */
  checkLimits?: CheckLimits;
}

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const relais = createRelais(config, deps);
  const app = Fastify({
    loggerInstance: relais.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Room for a maximum-size message in base64 inside JSON.
    bodyLimit: Math.ceil(config.maxMessageBytes * 1.4) + 256 * 1024,
    requestIdHeader: 'x-request-id',
    // Client addresses (login limits per IP) come from X-Forwarded-For only behind a known proxy.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  // An empty body sent as JSON counts as no body (clients often send the header on every call,
  // e.g. POST …/activate); anything else goes through Fastify's safe JSON parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  const sendIndex = webAvailable() ? indexSender() : undefined;
  app.setNotFoundHandler((request, reply) => (sendIndex && isUiNavigation(request) ? sendIndex(reply) : notFoundHandler(request, reply)));
  app.decorate('relais', relais);
  await app.register(cookie);
  // Before any route, and before access control so that refusals carry them too.
  await registerSecurityHeaders(app, config);
  // Before any route: every /v1 route must declare its permission (src/tenants/authorization.ts).
  registerAccessControl(app, relais);

  // Before any route: every documented route must declare its operationId.
  await registerOpenApi(app, config);
  await app.register(async (docs) => {
    useDocsPolicy(docs, config);
    // Without swagger-ui's top bar: its logo brings an inline style, its box loads other documents.
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { layout: 'BaseLayout' } });
  });

  await app.register(healthRoutes(relais));
  await app.register(organizationRoutes(relais));
  await app.register(memberRoutes(relais));
  await app.register(sessionRoutes(relais));
  await app.register(embedRoutes(relais));
  await app.register(auditRoutes(relais));
  await app.register(messageRoutes(relais));
  await app.register(eventRoutes(relais));
  await app.register(retentionRoutes(relais));
  await app.register(erasureRoutes(relais));
  await app.register(exportRoutes(relais));
  await app.register(relayRoutes(relais));
  await app.register(relayConnectRoutes(relais));
  await app.register(relayCheckRoutes(relais, deps.checkLimits));
  await app.register(webhookRoutes(relais));
  if (config.demo && deps.devInbox) await app.register(devInboxRoutes(deps.devInbox));
  if (sendIndex) await app.register(webRoutes());

  app.addHook('onClose', async () => {
    await relais.close();
  });
  return app;
}

/**
 * Trusts the nearest `hops` proxies, like a hop count in proxy-addr: `request.ip` is the address
 * `hops` entries from the right of X-Forwarded-For, never a leftmost one the client wrote
 * (src/api/client-address.test.ts).
 */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
