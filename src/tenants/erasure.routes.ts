// HTTP: erasing one person's address (POST /v1/organizations/{orgId}/erasure) and deleting an
// organization (DELETE /v1/organizations/{orgId}).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../api/access-control.ts';
import type { Relais } from '../relais.ts';
import { organizationIdParam } from './organization.routes.ts';

export const erasureBody = z.object({
  erasureId: z.string().describe("the audit log's entry for this erasure has it as target"),
  messages: z.number().describe('messages whose content and subject were deleted'),
  cancelled: z.number().describe('of those, queued or deferred ones cancelled (failed, recipient_erased)'),
  recipients: z.number().describe('recipient entries now `[erased]`'),
  attempts: z.number().describe('attempts whose server reply named the address'),
  events: z.number().describe('events that named the address'),
  auditEntries: z.number().describe('audit entries that named the address'),
  inFlight: z.number().describe('messages being sent at that very moment, left as they were: erase again once sent'),
});

export const organizationDeletionBody = z.object({
  organizationId: z.string(),
  messages: z.number(),
  events: z.number(),
  members: z.number(),
  people: z.number().describe('people who belonged to no other organization, deleted'),
  relayDeleted: z.boolean(),
  unfinished: z.number().describe('messages deleted before they were delivered (force)'),
});

export function erasureRoutes(relais: Relais): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/organizations/:orgId/erasure',
      {
        config: { permission: 'personal-data:erase' },
        schema: {
          tags: ['personal data'],
          operationId: 'erasePersonalData',
          errors: ['messages_in_flight'],
          summary: 'Erase everything the organization holds about one email address',
          description:
            'Messages naming the address (recipient, content, subject, replies) lose their content and subject; queued or deferred ones are cancelled; the address becomes `[erased]` in recipients lists, replies, events and the audit log. Refused (409 `messages_in_flight`) while a message to it is being sent. Recorded in the audit log without the address.',
          params: z.object({ orgId: organizationIdParam }),
          body: z.strictObject({ email: z.string().trim().min(3).max(254).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address') }),
          response: { 200: erasureBody },
        },
      },
      async (request) => relais.erasure.eraseAddress(request.params.orgId, request.body.email, actorOf(request)),
    );

    app.delete(
      '/v1/organizations/:orgId',
      {
        config: { permission: 'organization:delete' },
        schema: {
          tags: ['personal data'],
          operationId: 'deleteOrganization',
          errors: ['messages_in_flight'],
          summary: 'Delete an organization with its relay and secrets, members, messages and events',
          description:
            'Refused (409 `messages_in_flight`) while messages are queued, deferred or being sent; `?force=true` deletes them undelivered. People who belonged to no other organization are deleted too. The audit log keeps an `organization.deleted` entry until its own retention ends.',
          params: z.object({ orgId: organizationIdParam }),
          querystring: z.strictObject({ force: z.enum(['true', 'false']).default('false') }),
          response: { 200: organizationDeletionBody },
        },
      },
      async (request) =>
        relais.erasure.deleteOrganization(request.params.orgId, { force: request.query.force === 'true' }, actorOf(request)),
    );
  };
}
