// HTTP: GET /v1/organizations/{orgId}/export — the organization's delivery log as NDJSON, one
// message a line (oldest first) with its recipients and attempts, streamed page by page so the
// log of any size leaves in constant memory. Bodies and attachments only with
// `?content=true`, and only while retention keeps them.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Relais } from '../relais.ts';
import type { Executor } from '../store/store.ts';
import { organizationIdParam } from '../tenants/organization.routes.ts';
import { presentMessage } from './message.routes.ts';
import { attemptsOf, exportPage } from './sql/export-messages.ts';
import { recipientsOf } from './sql/recipients.ts';

const PAGE = 200;

async function* exportLines(db: Executor, organizationId: string, withContent: boolean): AsyncGenerator<string> {
  for (let afterId = ''; ; ) {
    const page = await exportPage(db, { organizationId, afterId, limit: PAGE, withContent });
    if (page.length === 0) return;
    const ids = page.map((p) => p.message.id);
    const recipients = await recipientsOf(db, ids);
    const attempts = await attemptsOf(db, ids);
    let lines = '';
    for (const { message, content } of page) {
      const history = (attempts.get(message.id) ?? []).map(({ failureClass, ...a }) => ({
        ...a,
        classification: failureClass,
        startedAt: new Date(a.startedAt).toISOString(),
        finishedAt: new Date(a.finishedAt).toISOString(),
      }));
      const line = { ...presentMessage(message), recipients: recipients.get(message.id) ?? [], history, ...(withContent ? { content } : {}) };
      lines += `${JSON.stringify(line)}\n`;
    }
    yield lines;
    afterId = ids[ids.length - 1] ?? afterId;
  }
}

export function exportRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/organizations/:orgId/export',
      {
        config: { permission: 'messages:export' },
        schema: {
          tags: ['personal data'],
          operationId: 'exportMessages',
          summary: "Stream the organization's delivery log as NDJSON, for the platform's own archives",
          description:
            'One message a line, oldest first: the delivery log\'s fields, `recipients` and `history` (attempts). With `?content=true`, each line also has `content` (recipients with names, subject, bodies, attachments, headers), or null once retention or an erasure deleted it.',
          params: z.object({ orgId: organizationIdParam }),
          querystring: z.strictObject({ content: z.enum(['true', 'false']).default('false') }),
          response: {
            200: {
              description: 'One JSON object a line (application/x-ndjson): a message of the delivery log with its recipients and history.',
              content: { 'application/x-ndjson': { schema: z.string() } },
            },
          },
        },
      },
      async (request, reply) => {
        const { orgId } = request.params;
        await relais.organizations.get(orgId);
        const stream = Readable.from(exportLines(relais.store.db, orgId, request.query.content === 'true'));
        // A stream is sent as it is (its lines are documented as application/x-ndjson), never serialized.
        return (reply as FastifyReply)
          .type('application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="relais-${orgId}-delivery-log.ndjson"`)
          .send(stream);
      },
    );
  };
}
