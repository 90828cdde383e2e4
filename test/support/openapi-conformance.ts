// Every response the API test suite receives is checked against the OpenAPI document the app
// serves: the status must be one the operation documents, the content type one it documents for
// that status, and the JSON body must match the documented schema (ajv, JSON Schema 2020-12 as in
// OpenAPI 3.1). A mismatch is recorded, not thrown (the test sees the real answer), and fails the
// test file when it ends: drift between what Relais answers and what the typed client believes
// fails CI. Only /v1 operations are checked: routes outside the document (hidden, /docs, the UI,
// a test's own helpers) and unmatched URLs are not.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

interface MediaType {
  schema?: Record<string, unknown>;
}
interface Response {
  content?: Record<string, MediaType>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, Response> } | undefined>>;
  components?: Record<string, unknown>;
}

const violations: string[] = [];
let checked = 0;
const ajv = new Ajv2020({ strict: false, allErrors: true });
// ajv-formats is CommonJS: its plugin is the module's `default` export.
ajvFormats.default(ajv);
/** Per document (apps of one process serve equal ones; a test may pass another): its components' id and compiled schemas. */
const compiled = new WeakMap<OpenApiDocument, { componentsId: string; validators: Map<string, ValidateFunction> }>();

/** The violations seen so far in this process (for the conformance test's own checks). */
export function conformanceViolations(): readonly string[] {
  return violations;
}

/** How many responses were checked in this process. */
export function conformanceChecks(): number {
  return checked;
}

/** Forgets the violations seen so far (the conformance test breaks the document on purpose). */
export function clearConformanceViolations(): void {
  violations.length = 0;
}

after(() => {
  assert.deepEqual(violations, [], `responses that do not match the OpenAPI document (test/support/openapi-conformance.ts):\n${violations.join('\n')}`);
});

function validatorFor(key: string, schema: Record<string, unknown>, document: OpenApiDocument): ValidateFunction {
  let cache = compiled.get(document);
  if (!cache) {
    cache = { componentsId: `relais-openapi-${Math.random().toString(36).slice(2)}`, validators: new Map() };
    ajv.addSchema({ $id: cache.componentsId, components: document.components ?? {} });
    compiled.set(document, cache);
  }
  let validate = cache.validators.get(key);
  if (validate) return validate;
  // The document's references point into its own components.
  const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${cache.componentsId}#/components/`)) as Record<string, unknown>;
  validate = ajv.compile(rebased);
  cache.validators.set(key, validate);
  return validate;
}

function documentedResponse(responses: Record<string, Response>, status: number): Response | undefined {
  return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
}

function text(payload: unknown): string | undefined {
  if (payload === null || payload === undefined) return '';
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return undefined; // a stream: sent as it is, not checked here
}

/**
 * Checks every response of `app` against its own OpenAPI document. `document` replaces the served
 * one (the conformance test uses it to show that a wrong document fails).
 */
export function checkResponsesAgainstDocument(app: FastifyInstance, document?: () => OpenApiDocument): void {
  let served: OpenApiDocument | undefined;
  app.addHook('onSend', async (request, reply, payload) => {
    const pattern = request.routeOptions.url;
    // The API (/v1): a test's own helper routes are not Relais's contract.
    if (!pattern?.startsWith('/v1/') || request.method === 'HEAD') return payload;
    const doc = document ? document() : (served ??= app.swagger() as unknown as OpenApiDocument);
    const path = pattern.replace(/:(\w+)/g, '{$1}');
    const operation = doc.paths[path]?.[request.method.toLowerCase()];
    if (!operation) return payload;
    checked += 1;
    const where = `${request.method} ${path} → ${reply.statusCode}`;
    const body = text(payload);
    const response = documentedResponse(operation.responses ?? {}, reply.statusCode);
    if (!response) {
      violations.push(`${where}: status not documented (body: ${(body ?? '<stream>').slice(0, 200)})`);
      return payload;
    }
    if (!response.content) {
      // Fastify never sends a body with a 204 (a handler's `send(null)` stops here).
      if (body && reply.statusCode !== 204) violations.push(`${where}: the document says no content, the answer has ${body.slice(0, 200)}`);
      return payload;
    }
    const mediaType = String(reply.getHeader('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const media = response.content[mediaType];
    if (!media) {
      violations.push(`${where}: content type "${mediaType}" not documented (documented: ${Object.keys(response.content).join(', ')})`);
      return payload;
    }
    if (body === undefined || !media.schema || mediaType !== 'application/json') return payload;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      violations.push(`${where}: not JSON: ${body.slice(0, 200)}`);
      return payload;
    }
    const validate = validatorFor(`${request.method} ${path} ${reply.statusCode} ${mediaType}`, media.schema, doc);
    if (!validate(value)) {
      const problems = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
      violations.push(`${where}: body does not match the document: ${problems.join('; ')} (body: ${body.slice(0, 200)})`);
    }
    return payload;
  });
}
