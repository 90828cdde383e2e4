// The OpenAPI document served at /docs/json, built by @fastify/swagger from the routes' zod
// schemas. What every route can answer besides its own success is added here, in one place,
// from what the route declares:
//
//   - its permission (src/api/access-control.ts): any guarded route may answer 401 and 403;
//   - its method: a request with a body may answer 400 (not JSON), 413 (too large) and 415
//     (not JSON at all), and a write with a session cookie 403 (CSRF);
//   - its path: a route under /v1/organizations/{orgId} may answer 404 organization_not_found;
//   - its input schemas: 422 validation_failed, unknown_field;
//   - the error codes it lists in `schema.errors`, mapped to statuses by the error handler's
//     table (src/api/error-handler.ts), so the document cannot disagree with it;
//   - and always 500, 503 and 507 (database faults, src/store/database-faults.ts).
//
// Every error has the one shape the error handler sends: `{ error: { code, message, details? } }`.
// Every documented route must declare a unique `operationId` (checked when the route is added),
// the name the typed client and other generators give it.
import swagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { ErrorCode } from '../errors.ts';
import { statusFor } from './error-handler.ts';

declare module 'fastify' {
  interface FastifySchema {
    /** Error codes this route answers besides those every route of its kind does (see src/api/openapi.ts). */
    errors?: readonly ErrorCode[];
  }
}

/** The body of every error answer (src/api/error-handler.ts), a component of the document. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable, machine-readable: the codes each answer may carry are listed with it.'),
      message: z.string().describe('For people, in English.'),
      details: z.unknown().optional().describe('Validation errors: `[{ field, message }]`; other errors: what helps to act on them (e.g. `retryAfterSeconds`).'),
    }),
  })
  .meta({ id: 'Error' });

/** The body of an action that takes no input: none, or an empty JSON object (clients often send `{}`). */
export const noFields = z
  // Fastify hands a request without a body to validation as null.
  .preprocess((body) => body ?? undefined, z.strictObject({}).optional())
  .describe('No fields: send no body, or `{}`.');

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const ALWAYS: readonly ErrorCode[] = ['internal_error', 'database_unavailable', 'storage_unavailable', 'insufficient_storage'];
const GUARDED: readonly ErrorCode[] = ['unauthenticated', 'api_key_revoked', 'session_expired', 'forbidden'];
const WITH_BODY: readonly ErrorCode[] = ['invalid_json', 'csrf_failed', 'message_too_large', 'unsupported_media_type'];
const WITH_INPUT: readonly ErrorCode[] = ['validation_failed', 'unknown_field'];

const RETRY_AFTER_STATUSES = new Set([429, 503, 507]);

interface RouteFacts {
  method: string;
  url: string;
  permission: unknown;
  schema: NonNullable<RouteOptions['schema']>;
}

/** The error codes a route may answer, by HTTP status. */
export function errorStatuses(route: RouteFacts): Map<number, ErrorCode[]> {
  const { schema } = route;
  const codes = new Set<ErrorCode>(ALWAYS);
  const add = (list: readonly ErrorCode[]) => list.forEach((code) => codes.add(code));
  if (route.permission !== 'public') add(GUARDED);
  if (BODY_METHODS.has(route.method)) add(WITH_BODY);
  if (route.url.includes(':orgId')) codes.add('organization_not_found');
  if (schema.params || schema.querystring || schema.body || schema.headers) add(WITH_INPUT);
  add(schema.errors ?? []);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = statusFor(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

function errorResponse(status: number, codes: readonly ErrorCode[]) {
  return {
    description: `${codes.map((code) => `\`${code}\``).join(', ')}.`,
    content: { 'application/json': { schema: errorBody } },
  };
}

const RETRY_AFTER_HEADER = {
  'retry-after': { type: 'integer', description: 'Seconds to wait before trying again.' },
};

/** The route's own methods (HEAD aside), as the access table reads them. */
function methodsOf(route: RouteOptions): string[] {
  return [route.method].flat().filter((m) => m !== 'HEAD');
}

/** Registers @fastify/swagger and the operationId check; call before any route is declared. */
export async function registerOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  const operationIds = new Map<string, string>();
  // Operations whose body is optional: the document says so (@fastify/swagger always says required).
  const optionalBodies = new Set<string>();

  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (!schema || schema.hide || !route.url.startsWith('/v1/') || methodsOf(route).length === 0) return;
    const where = `${methodsOf(route).join(',')} ${route.url}`;
    const id = schema.operationId;
    if (!id) throw new Error(`${where} has no operationId: add schema.operationId (a stable camelCase name, e.g. "activateRelay").`);
    const taken = operationIds.get(id);
    if (taken !== undefined && taken !== where) throw new Error(`${where} reuses the operationId "${id}" of ${taken}.`);
    operationIds.set(id, where);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Relais API',
        version: '0.1.0',
        description: "Send a platform's emails from each organization's own address, through its own SMTP relay.",
      },
      servers: [{ url: config.publicUrl, description: 'This Relais (RELAIS_PUBLIC_URL)' }],
      components: {
        securitySchemes: {
          platformKey: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'relais_session', description: 'Writes also need the x-csrf-token header.' },
        },
      },
      security: [{ platformKey: [] }, { session: [] }],
    },
    transform: (document) => {
      const { schema, route } = document;
      if (!schema || schema.hide) return jsonSchemaTransform(document);
      const method = methodsOf(route)[0] ?? 'GET';
      const response: Record<string, unknown> = { ...(schema.response as Record<string, unknown> | undefined) };
      for (const [status, codes] of errorStatuses({ method, url: route.url, permission: route.config?.permission, schema })) {
        response[String(status)] ??= errorResponse(status, codes);
      }
      const { errors: _errors, ...rest } = schema;
      const transformed = jsonSchemaTransform({ ...document, schema: { ...rest, response } });
      const responses = transformed.schema.response as Record<string, Record<string, unknown>>;
      for (const [status, documented] of Object.entries(responses)) {
        // A 204 has no content at all (not a JSON null).
        if (status === '204') responses[status] = { type: 'null', description: 'No content.' };
        else if (RETRY_AFTER_STATUSES.has(Number(status))) documented.headers = RETRY_AFTER_HEADER;
      }
      if (schema.body && (schema.body as z.ZodType).safeParse(undefined).success) optionalBodies.add(`${method} ${transformed.url}`);
      return transformed;
    },
    transformObject: (document) => {
      const object = jsonSchemaTransformObject(document) as unknown as {
        paths?: Record<string, Record<string, { requestBody?: { required?: boolean } } | undefined>>;
      };
      for (const [path, operations] of Object.entries(object.paths ?? {})) {
        for (const [method, operation] of Object.entries(operations)) {
          const fastifyPath = path.replace(/\{(\w+)\}/g, ':$1');
          if (operation?.requestBody && optionalBodies.has(`${method.toUpperCase()} ${fastifyPath}`)) operation.requestBody.required = false;
        }
      }
      dropUnusedSchemas(object as { paths?: unknown; components?: { schemas?: Record<string, unknown> } });
      return object as ReturnType<typeof jsonSchemaTransformObject>;
    },
  });
}

/** The zod registry yields an input and an output variant of every named schema: keep those the document uses. */
function dropUnusedSchemas(object: { paths?: unknown; components?: { schemas?: Record<string, unknown> } }): void {
  const schemas = object.components?.schemas;
  if (!schemas) return;
  const used = JSON.stringify(object.paths ?? {});
  for (const name of Object.keys(schemas)) {
    if (!used.includes(`"#/components/schemas/${name}"`)) delete schemas[name];
  }
}
