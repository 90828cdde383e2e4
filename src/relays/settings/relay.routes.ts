// HTTP: /v1/organizations/{orgId}/smtp-relay and /v1/smtp-presets
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../api/access-control.ts';
import { noFields } from '../../api/openapi.ts';
import { authenticate } from '../../api/auth.ts';
import type { Locale } from '../../glossary.ts';
import { isValidAddress } from '../../outbox/message.ts';
import type { Relais } from '../../relais.ts';
import { organizationIdParam } from '../../tenants/organization.routes.ts';
import { PRESET_IDS, PRESETS, type Preset } from './presets.ts';
import { presetListView } from './presets.view.ts';
import type { ConnectProvider } from './relay-connect.ts';
import {
  effectiveLimitsView,
  lastCheckView,
  presentEffectiveLimits,
  presentFailure,
  presentLastCheck,
  presentUsage,
  relayFailureView,
  relayLimitsBody,
  relayUsageView,
} from '../health/relay-health.view.ts';
import type { RelayUsageView } from '../sending/relay-limiter.ts';
import { isVerified, type Relay } from '../relay.ts';
import { authInput, presentAuth, relayAuthBody, relayAuthView } from './relay-auth.routes.ts';
import { authWarnings } from '../relay-auth.ts';

const LINE_BREAK_OR_NUL = /[\r\n\0]/;

/** A custom zod issue carrying a stable Relais error code. */
function issue(ctx: z.RefinementCtx, code: string, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code } });
}

/**
 * Text that ends up in an SMTP command or a header: too long → validation_failed (the value is
 * never echoed), a line break or NUL → `code`.
 */
function headerSafe(max: number, what: string, code = 'header_injection') {
  return z.string().superRefine((value, ctx) => {
    if (value.length > max) return void ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters` });
    if (LINE_BREAK_OR_NUL.test(value)) issue(ctx, code, `The ${what} may not contain line breaks or NUL characters.`);
  });
}

function address(what: string) {
  return headerSafe(254, what).superRefine((value, ctx) => {
    if (value.length <= 254 && !LINE_BREAK_OR_NUL.test(value) && !isValidAddress(value)) {
      issue(ctx, 'invalid_address', `The ${what} must be an email address such as formation@example.fr.`);
    }
  });
}

const nonEmpty = (schema: z.ZodType<string>, what: string) =>
  schema.superRefine((value, ctx) => {
    if (value.trim() === '') ctx.addIssue({ code: 'custom', message: `The ${what} must not be empty.` });
  });

export const relayBody = z.strictObject({
  preset: z.enum(PRESET_IDS),
  // Host syntax is the address guard's: it answers smtp_host_invalid with the reason.
  host: z.string().max(255, 'must be at most 255 characters'),
  port: z.number().int('must be a whole number'),
  security: z.enum(['tls', 'starttls', 'none']),
  /** Password sign-in only: with OAuth2 `auth`, the mailbox is `auth.user`. */
  username: nonEmpty(headerSafe(320, 'user name'), 'user name').optional(),
  /** Write-only. Omit it to keep the stored one (only while host, port, user name, security and certificate rule are unchanged). */
  password: z
    .string()
    .superRefine((value, ctx) => {
      // Never echo a password, even in part.
      if (value.length === 0 || value.length > 1024) ctx.addIssue({ code: 'custom', message: 'must be 1 to 1024 characters' });
      else if (LINE_BREAK_OR_NUL.test(value)) ctx.addIssue({ code: 'custom', message: 'may not contain line breaks or NUL characters' });
    })
    .optional(),
  fromEmail: address('sender address'),
  fromName: nonEmpty(headerSafe(200, 'sender name'), 'sender name'),
  replyTo: address('Reply-To address').nullable().optional(),
  fallbackPolicy: z.enum(['fallback', 'hold']),
  allowSelfSigned: z.boolean().optional(),
  /** Overrides of the preset's sending limits; omit to keep the stored ones, null to return to the preset's. */
  limits: relayLimitsBody.nullable().optional(),
  /** OAuth2 app sign-in instead of `username`/`password` (absent, or `{ type: "password" }`: a password). */
  auth: relayAuthBody.optional(),
}).superRefine((body, ctx) => {
  if (!body.auth || body.auth.type === 'password') {
    if (body.username === undefined) ctx.addIssue({ code: 'custom', path: ['username'], message: 'The user name is required for password sign-in.' });
  } else if (body.username !== undefined || body.password !== undefined) {
    issue(ctx, 'auth_conflict', 'With OAuth2 app sign-in, the mailbox is auth.user and the secret is in auth: send no username or password.');
  }
});

const warning = z.object({ code: z.string(), message: z.string() });

export const relayView = z.object({
  id: z.string(),
  organizationId: z.string(),
  preset: z.enum(PRESET_IDS),
  host: z.string(),
  port: z.number(),
  security: z.enum(['tls', 'starttls', 'none']),
  username: z.string(),
  /** Always true: a relay cannot be saved without one. The password itself is never returned. */
  hasPassword: z.boolean(),
  /** How the relay signs in (never a secret). */
  auth: relayAuthView,
  fromEmail: z.string(),
  fromName: z.string(),
  replyTo: z.string().nullable(),
  fallbackPolicy: z.enum(['fallback', 'hold']),
  allowSelfSigned: z.boolean(),
  version: z.number(),
  status: z.enum(['off', 'unverified', 'active', 'failing']),
  statusChangedAt: z.string(),
  activeSince: z.string().nullable(),
  /** Messages leave through this relay right now: the organization's flag is on and the relay active. */
  inUse: z.boolean(),
  verified: z.boolean(),
  verifiedVersion: z.number().nullable(),
  verifiedAt: z.string().nullable(),
  lastCheck: lastCheckView,
  warnings: z.array(warning),
  /** The owner's overrides of the preset's limits (null: the preset's figures). */
  limits: relayLimitsBody.nullable(),
  /** The limits the queue keeps to: the preset's with the overrides applied. */
  effectiveLimits: effectiveLimitsView,
  /** Why the relay fails (or has been failing in a row), explained for its provider. */
  failure: relayFailureView,
  /** What the relay has sent lately and whether a limit holds mail back (GET only). */
  usage: relayUsageView.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const relayStatusView = z.object({
  customSmtp: z.boolean(),
  configured: z.boolean(),
  status: z.enum(['off', 'unverified', 'active', 'failing']).nullable(),
  inUse: z.boolean(),
  fromEmail: z.string().nullable(),
  fromName: z.string().nullable(),
});

/** GET /v1/smtp-presets: the presets, and the providers whose "Connect with …" button this platform offers (its applications registered). */
export interface PresetCatalog {
  presets: readonly Preset[];
  connectProviders: ConnectProvider[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function warningsOf(relay: Relay, now: number): z.infer<typeof warning>[] {
  const out: z.infer<typeof warning>[] = [...authWarnings(relay, now)];
  if (relay.allowSelfSigned) {
    out.push({
      code: 'self_signed_certificate_accepted',
      message: "The relay's certificate is not checked against a trusted authority: anyone able to intercept the connection could read the password.",
    });
  }
  if (relay.security === 'none') {
    out.push({ code: 'plaintext_connection', message: 'The connection is not encrypted: the password and the emails travel in clear text.' });
  }
  return out;
}

/** What the organization adds to the view: its flag, the language of explanations, and the relay's usage when read. */
export interface RelayContext {
  customSmtp: boolean;
  locale: Locale;
  usage?: RelayUsageView;
  /** The app's clock, for time-bound warnings (a secret about to expire). */
  now?: number;
}

export function presentRelay(relay: Relay, context: RelayContext): z.infer<typeof relayView> {
  const { customSmtp } = context;
  return {
    id: relay.id,
    organizationId: relay.organizationId,
    preset: relay.preset,
    host: relay.host,
    port: relay.port,
    security: relay.security,
    username: relay.username,
    hasPassword: relay.sealedPassword !== '',
    auth: presentAuth(relay),
    fromEmail: relay.fromEmail,
    fromName: relay.fromName,
    replyTo: relay.replyTo,
    fallbackPolicy: relay.fallbackPolicy,
    allowSelfSigned: relay.allowSelfSigned,
    version: relay.version,
    status: relay.status,
    statusChangedAt: new Date(relay.statusChangedAt).toISOString(),
    activeSince: iso(relay.activeSince),
    inUse: customSmtp && relay.status === 'active',
    verified: isVerified(relay),
    verifiedVersion: relay.verifiedVersion,
    verifiedAt: iso(relay.verifiedAt),
    lastCheck: presentLastCheck(relay, context.locale),
    warnings: warningsOf(relay, context.now ?? Date.now()),
    limits: relay.limits,
    effectiveLimits: presentEffectiveLimits(relay),
    failure: presentFailure(relay, context.locale),
    ...(context.usage ? { usage: presentUsage(context.usage) } : {}),
    createdAt: new Date(relay.createdAt).toISOString(),
    updatedAt: new Date(relay.updatedAt).toISOString(),
  };
}

/** zod keeps absent optional keys absent; this only satisfies exactOptionalPropertyTypes. */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

const params = z.object({ orgId: organizationIdParam });
const TAGS = ['smtp relay'];

export function relayRoutes(relais: Relais): FastifyPluginAsyncZod {
  const relays = relais.relays;
  const flag = async (orgId: string): Promise<RelayContext> => {
    const org = await relais.organizations.get(orgId);
    return { customSmtp: org.features.customSmtp, locale: org.locale, now: relais.clock.now() };
  };

  return async (app) => {
    app.get(
      '/v1/organizations/:orgId/smtp-relay',
      {
        config: { permission: 'relay:read' },
        schema: {
          tags: TAGS,
          summary: "Read the organization's relay settings (never the password), its health and its recent usage",
          operationId: 'getRelay',
          errors: ['relay_not_found'],
          params,
          querystring: z.strictObject({ lang: z.enum(['fr', 'en']).optional() }),
          response: { 200: relayView },
        },
      },
      async (request) => {
        const relay = await relays.get(request.params.orgId);
        const context = await flag(request.params.orgId);
        const usage = await relais.relayLimiter.usage(relay);
        return presentRelay(relay, { ...context, ...(request.query.lang ? { locale: request.query.lang } : {}), usage });
      },
    );

    app.get(
      '/v1/organizations/:orgId/smtp-relay/status',
      {
        config: { permission: 'relay:read-status' },
        schema: {
          tags: TAGS,
          summary: 'Whether custom sending is on, and the sender address (for every member)',
          operationId: 'getRelayStatus',
          params,
          response: { 200: relayStatusView },
        },
      },
      async (request) => {
        const { customSmtp, relay } = await relays.find(request.params.orgId);
        return {
          customSmtp,
          configured: relay !== undefined,
          status: relay?.status ?? null,
          inUse: customSmtp && relay?.status === 'active',
          fromEmail: relay?.fromEmail ?? null,
          fromName: relay?.fromName ?? null,
        };
      },
    );

    app.put(
      '/v1/organizations/:orgId/smtp-relay',
      {
        config: { permission: 'relay:write' },
        schema: {
          tags: TAGS,
          summary: 'Create or replace the relay settings',
          operationId: 'putRelay',
          errors: ['relay_changed', 'password_required', 'auth_conflict', 'invalid_address', 'header_injection', 'smtp_host_invalid', 'smtp_host_not_found', 'smtp_address_not_allowed', 'smtp_port_not_allowed', 'smtp_plaintext_not_allowed'],
          description:
            'Omit `password` to keep the stored one; it is required when the relay is new or when host, port, username, security or allowSelfSigned change ' +
            '(a stored password only goes where it was saved, protected as it was saved). ' +
            'Changed server, credentials, sender address or certificate rule make the relay `unverified` (out of use) until verified and activated again.',
          params,
          body: relayBody,
          response: { 200: relayView, 201: relayView },
        },
      },
      async (request, reply) => {
        const { password, replyTo, allowSelfSigned, limits, auth, username, ...settings } = request.body;
        const signIn = authInput(auth, username, password);
        const { relay, created } = await relays.save(
          request.params.orgId,
          {
            ...settings,
            ...signIn,
            replyTo: replyTo ?? null,
            allowSelfSigned: allowSelfSigned ?? false,
            ...(limits !== undefined ? { limits: limits === null ? null : withoutUndefined(limits) } : {}),
          },
          actorOf(request),
        );
        return reply.status(created ? 201 : 200).send(presentRelay(relay, await flag(request.params.orgId)));
      },
    );

    app.delete(
      '/v1/organizations/:orgId/smtp-relay',
      {
        config: { permission: 'relay:write' },
        schema: {
          tags: TAGS,
          summary: 'Delete the relay and its password (a connected mailbox: disconnect, its refresh token revoked and deleted); messages leave through the platform sender',
          operationId: 'deleteRelay',
          description: 'Idempotent: 204 whether or not a relay existed.',
          params,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        // A connected mailbox's refresh token is revoked at the provider and deleted too.
        await relais.relayConnect.remove(request.params.orgId, actorOf(request));
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/organizations/:orgId/smtp-relay/activate',
      {
        config: { permission: 'relay:write' },
        schema: {
          tags: TAGS,
          summary: 'Send through the relay from the next message on (requires a passed verification of the saved version)',
          operationId: 'activateRelay',
          errors: ['relay_not_found', 'relay_not_verified', 'custom_smtp_disabled', 'relay_changed'],
          params,
          body: noFields,
          response: { 200: relayView },
        },
      },
      async (request) => presentRelay(await relays.activate(request.params.orgId, actorOf(request)), await flag(request.params.orgId)),
    );

    app.post(
      '/v1/organizations/:orgId/smtp-relay/deactivate',
      {
        config: { permission: 'relay:write' },
        schema: {
          tags: TAGS,
          operationId: 'deactivateRelay',
          summary: 'Stop using the relay: the next message leaves through the platform sender',
          errors: ['relay_not_found', 'relay_changed'],
          params,
          body: noFields,
          response: { 200: relayView },
        },
      },
      async (request) => presentRelay(await relays.deactivate(request.params.orgId, actorOf(request)), await flag(request.params.orgId)),
    );

    app.get(
      '/v1/smtp-presets',
      {
        // Provider data, the same for everyone; still only for signed-in callers (any role, or the platform key).
        config: { permission: 'public' },
        onRequest: async (request) => {
          request.actor = await authenticate(relais, request);
        },
        schema: {
          tags: TAGS,
          operationId: 'listSmtpPresets',
          summary: 'SMTP provider presets: defaults, sending limits and setup guides (fr, en)',
          description:
            '`connectProviders` lists the providers "Connect with Microsoft / Google" is offered for on this platform (the presets whose `connect` names one of them show the button); a provider without its application registered is absent.',
          // Public as a route, authenticated by its own onRequest hook.
          errors: ['unauthenticated', 'api_key_revoked', 'session_expired'],
          response: { 200: presetListView },
        },
      },
      async (): Promise<PresetCatalog> => ({ presets: PRESETS, connectProviders: relais.relayConnect.offered() }),
    );
  };
}
