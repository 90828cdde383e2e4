// /healthz (the process answers), /readyz (the database answers and takes writes), /metrics (Prometheus).
import { sql } from 'kysely';
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

    // 503 while the database does not answer, or while writes fail (an incident stays open
    // until a query succeeds again or RETRY_AFTER_SECONDS pass without a new fault).
    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const { faults } = relais.store;
      const unavailable = (reason: string) => reply.status(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ status: 'unavailable', reason });
      try {
        await sql`select 1`.execute(relais.store.db);
      } catch (error) {
        faults.note(error);
        return unavailable(REASONS.connection);
      }
      const incident = faults.current;
      if (incident?.kind === 'connection') faults.answered();
      else if (incident) return unavailable(REASONS[incident.kind]);
      return { status: 'ready', database: relais.store.capabilities.dialect };
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await relais.metrics.registry.metrics();
      return reply.type(relais.metrics.registry.contentType).send(body);
    });
  };
}
