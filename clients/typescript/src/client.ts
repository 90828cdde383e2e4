/**
 * createRelaisClient: typed calls for every route of the Relais API, built on openapi-fetch with
 * the types generated from the OpenAPI document (schema.d.ts). Paths, parameters, bodies, answers
 * and errors are all checked by TypeScript:
 *
 *     const relais = createRelaisClient({ baseUrl: 'https://relais.example', apiKey });
 *     const { data, error } = await relais.POST('/v1/organizations/{orgId}/messages', {
 *       params: { path: { orgId: 'centre-lyon' } },
 *       body: { to: 'lea@example.org', subject: 'Bonjour', text: '…' },
 *     });
 *     if (error) console.log(error.error.code); // every documented error: { error: { code, message, details? } }
 *
 * or, to have errors thrown as RelaisError: `const message = await ok(relais.POST(…))`.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** What every error answer carries: a stable `code`, a `message` for people, and `details` when there are any. */
export type RelaisErrorBody = components['schemas']['Error']['error'];

/** JSON answers only: the streamed flight check (application/x-ndjson) is for `fetch` with `Accept: application/x-ndjson`. */
export type RelaisClient = Client<paths, 'application/json'>;

export interface RelaisClientOptions {
  /** Where Relais answers, e.g. `https://relais.example` (its RELAIS_PUBLIC_URL). */
  baseUrl: string;
  /** A platform API key (`relais keys create`). */
  apiKey: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: (request: Request) => Promise<Response>;
}

export function createRelaisClient(options: RelaisClientOptions): RelaisClient {
  return createClient<paths, 'application/json'>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** An error answer of the Relais API, thrown by `ok()`. */
export class RelaisError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, body: RelaisErrorBody) {
    super(body.message);
    this.name = 'RelaisError';
    this.status = status;
    this.code = body.code;
    this.details = body.details;
  }
}

type Result<T, E> = { data: T; error?: never; response: Response } | { data?: never; error: E; response: Response };

/** The answer's data, or a RelaisError thrown with the answer's status, code, message and details. */
export async function ok<T, E>(call: Promise<Result<T, E>>): Promise<NonNullable<T>> {
  const result = await call;
  if (result.error === undefined) return result.data as NonNullable<T>;
  const body = result.error as { error?: RelaisErrorBody } | undefined;
  throw new RelaisError(result.response.status, body?.error ?? { code: 'unexpected_answer', message: `Relais answered ${result.response.status}.` });
}
