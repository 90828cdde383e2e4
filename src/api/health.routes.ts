// /healthz (the process answers), /readyz (the database answers and takes writes), /metrics (Prometheus).
import type { FastifyPluginAsync } from 'fastify';
import type { Relais } from '../relais.ts';
import { RETRY_AFTER_SECONDS } from '../store/database-faults.ts';

const REASONS = {
  connection: 'database unreachable',
  full: 'database disk full',
  storage: 'database storage error',
} as const;

export function healthRoutes(relais: Relais): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    // 503 while the database does not take a write: unreachable, disk full, I/O error or locked
    // beyond its busy timeout (a tiny real write, its answer reused for a second).
    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const fault = await relais.store.readiness.check();
      if (fault) return reply.status(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ status: 'unavailable', reason: REASONS[fault] });
      return { status: 'ready', database: relais.store.capabilities.dialect };
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await relais.metrics.registry.metrics();
      return reply.type(relais.metrics.registry.contentType).send(body);
    });
  };
}
