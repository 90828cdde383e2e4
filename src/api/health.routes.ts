// /healthz (the process answers), /readyz (the database answers), /metrics (Prometheus).
import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { Relais } from '../relais.ts';

export function healthRoutes(relais: Relais): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      try {
        await sql`select 1`.execute(relais.store.db);
        return { status: 'ready', database: relais.store.capabilities.dialect };
      } catch {
        return reply.status(503).send({ status: 'unavailable', reason: 'database unreachable' });
      }
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await relais.metrics.registry.metrics();
      return reply.type(relais.metrics.registry.contentType).send(body);
    });
  };
}
