// HTTP: POST /v1/organizations/{orgId}/smtp-relay/check — the flight check, as JSON or
// streamed step by step (NDJSON: one {"step"} line per finished step, then {"report"});
// /verify — the same check up to sign-in, recorded; /detect — the ports a host offers.
// One budget for the three (check-budget.ts).
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../api/access-control.ts';
import { noFields } from '../../api/openapi.ts';
import { readerLocale } from '../../api/reader-locale.ts';
import { AppError } from '../../errors.ts';
import type { Relais } from '../../relais.ts';
import { organizationIdParam } from '../../tenants/organization.routes.ts';
import { CheckBudget, type CheckLimits } from './check-budget.ts';
import { PRESET_IDS } from './presets.ts';
import { RelayCheckService, type UnsavedSettings } from './relay-check.service.ts';
import { presentRelay, relayView } from './relay.routes.ts';
import { checkReportView, checkResultView, checkStreamLine, detectionView } from './relay-check.view.ts';
import { authInput, relayAuthBody } from './relay-auth.routes.ts';

const settings = z.strictObject({
  preset: z.enum(PRESET_IDS).optional(),
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'none']),
  /** Password sign-in: required (with OAuth2 `auth`, the mailbox is `auth.user`). */
  username: z.string().max(320).optional(),
  password: z.string().min(1).max(1024).optional(),
  /** OAuth2 app sign-in, as in PUT …/smtp-relay; without its secret, the stored one is used only for the same application, mailbox and server. */
  auth: relayAuthBody.optional(),
  fromEmail: z.string().max(254),
  allowSelfSigned: z.boolean().optional(),
});

const body = z
  .strictObject({
    settings: settings.optional().describe('check these settings instead of the saved ones (nothing is recorded)'),
    toEmail: z.string().max(254).optional().describe("recipient for RCPT TO and the test email; the requester's own address by default"),
    sendTestEmail: z.boolean().optional(),
    confirmRecipient: z.boolean().optional().describe('required to send the test email to an address other than your own'),
  })
  .default({});

const verification = z.object({
  passed: z.boolean(),
  /** The settings version this verification was about. */
  version: z.number(),
  /** The flight check report (mode sign-in): steps dns to auth, each failure explained. */
  report: checkReportView,
  relay: relayView,
});

/** The body's settings as the check service takes them: the sign-in as username, secret and auth, like a save. */
function unsavedSettings(body: z.infer<typeof settings>): UnsavedSettings {
  const { auth, username, password, ...rest } = body;
  return { ...rest, ...authInput(auth, username, password) };
}

export function relayCheckRoutes(relais: Relais, limits?: CheckLimits): FastifyPluginAsyncZod {
  const service = new RelayCheckService(relais.relays, new CheckBudget(relais.clock, limits, relais.attempts));
  return async (app) => {
    app.post(
      '/v1/organizations/:orgId/smtp-relay/check',
      {
        config: { permission: 'relay:write' },
        schema: {
          tags: ['smtp relay'],
          summary: 'Flight check: test the relay step by step and explain any failure',
          operationId: 'checkRelay',
          errors: ['relay_not_found', 'rate_limited', 'password_required', 'invalid_address', 'oauth_connect_required'],
          description:
            'DNS and address guard, TCP, greeting, TLS, EHLO, AUTH, MAIL FROM, RCPT TO and optionally a test email. Checks the saved settings (a pass verifies that exact version, which activation requires) or the `settings` sent. Send `Accept: application/x-ndjson` to receive each step as it completes. Without `settings.password`, the stored password is used only when host, port, username, security and allowSelfSigned are unchanged (else 422 password_required). At most 10 checks, verifications and detections an hour per organization and per person.',
          params: z.object({ orgId: organizationIdParam }),
          body,
          response: {
            200: {
              description: 'The report (application/json), or each step as it completes (application/x-ndjson).',
              content: { 'application/json': { schema: checkResultView }, 'application/x-ndjson': { schema: checkStreamLine } },
            },
          },
        },
      },
      async (request, reply) => {
        const { orgId } = request.params;
        const org = await relais.organizations.get(orgId);
        const input = {
          ...(request.body.settings ? { settings: unsavedSettings(request.body.settings) } : {}),
          ...(request.body.toEmail ? { toEmail: request.body.toEmail } : {}),
          ...(request.body.sendTestEmail !== undefined ? { sendTestEmail: request.body.sendTestEmail } : {}),
          ...(request.body.confirmRecipient !== undefined ? { confirmRecipient: request.body.confirmRecipient } : {}),
          locale: readerLocale(request.headers['accept-language'], org.locale),
        };
        const actor = actorOf(request);
        if (!(request.headers.accept ?? '').includes('application/x-ndjson')) {
          return service.check(orgId, input, actor);
        }
        // Streamed: the response starts with the first finished step, so refusals that come
        // before any connection (validation, rate limit) still get their HTTP status.
        const stream = new PassThrough();
        let started = false;
        const start = () => {
          if (started) return;
          started = true;
          // A stream is sent as it is (its lines are documented as application/x-ndjson), never serialized.
          void (reply as FastifyReply).type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(stream);
        };
        try {
          const result = await service.check(orgId, input, actor, (step) => {
            start();
            stream.write(`${JSON.stringify({ step })}\n`);
          });
          start();
          stream.end(`${JSON.stringify(result)}\n`);
        } catch (error) {
          if (!started) throw error;
          request.log.error({ err: error }, 'flight check failed while streaming');
          const e = error instanceof AppError ? { code: error.code, message: error.message } : { code: 'internal_error', message: 'The check stopped unexpectedly.' };
          stream.end(`${JSON.stringify({ error: e })}\n`);
        }
        return reply;
      },
    );

    app.post(
      '/v1/organizations/:orgId/smtp-relay/verify',
      {
        config: { permission: 'relay:write' },
        schema: {
          tags: ['smtp relay'],
          summary: 'Verify the saved settings: the flight check up to sign-in, recorded for this version',
          operationId: 'verifyRelay',
          errors: ['relay_not_found', 'rate_limited'],
          description:
            'DNS and address guard, TCP, greeting, TLS, EHLO and AUTH with the saved settings and password; no MAIL FROM is sent. A pass makes the saved version activatable, a failure withdraws it; `relay.lastCheck` keeps the explanation id. Counts towards the check limit (10 an hour per organization and per person).',
          params: z.object({ orgId: organizationIdParam }),
          body: noFields,
          response: { 200: verification },
        },
      },
      async (request) => {
        const { orgId } = request.params;
        const org = await relais.organizations.get(orgId);
        const locale = readerLocale(request.headers['accept-language'], org.locale);
        const { report, version, relay } = await service.verify(orgId, locale, actorOf(request));
        return {
          passed: report.passed,
          version,
          report: { ...report, steps: report.steps.map((step) => ({ ...step })) },
          relay: presentRelay(relay, { customSmtp: org.features.customSmtp, locale }),
        };
      },
    );

    app.post(
      '/v1/organizations/:orgId/smtp-relay/detect',
      {
        config: { permission: 'relay:write' },
        schema: {
          tags: ['smtp relay'],
          summary: 'Security auto-detection: try the usual ports of a host and report what each offers',
          operationId: 'detectRelaySecurity',
          errors: ['rate_limited'],
          description: 'Ports 465, 587, 2525 and 25 (those the operator allows), with a recommended port and security. Counts towards the check limit.',
          params: z.object({ orgId: organizationIdParam }),
          body: z.strictObject({ host: z.string().min(1).max(253) }),
          response: { 200: detectionView },
        },
      },
      async (request) => service.detect(request.params.orgId, request.body.host, actorOf(request)),
    );
  };
}
