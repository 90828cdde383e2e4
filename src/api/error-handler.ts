// One place maps error codes to HTTP statuses and the JSON error shape.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../errors.ts';
import { RETRY_AFTER_SECONDS, classifyDatabaseError, type FaultKind } from '../store/database-faults.ts';

const STATUS_BY_CODE: Record<string, number> = {
  invalid_json: 400,
  unauthenticated: 401,
  api_key_revoked: 401,
  invalid_credentials: 401,
  session_expired: 401,
  embed_token_invalid: 401,
  embed_token_expired: 401,
  embed_token_used: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  organization_not_found: 404,
  member_not_found: 404,
  message_not_found: 404,
  relay_not_found: 404,
  webhook_endpoint_not_found: 404,
  organization_exists: 409,
  email_taken: 409,
  idempotency_conflict: 409,
  message_not_failed: 409,
  messages_in_flight: 409,
  message_content_expired: 410,
  relay_not_verified: 409,
  relay_changed: 409,
  custom_smtp_disabled: 409,
  oauth_provider_not_configured: 409,
  webhook_endpoint_disabled: 409,
  message_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  database_unavailable: 503,
  storage_unavailable: 503,
  insufficient_storage: 507,
};

const DATABASE_FAULT_ERRORS: Record<FaultKind, { code: string; message: string }> = {
  connection: {
    code: 'database_unavailable',
    message: 'Relais cannot reach its database right now (restart or failover). Nothing was changed unless a retry with the same Idempotency-Key says so; try again shortly.',
  },
  full: {
    code: 'insufficient_storage',
    message: "Relais's database disk is full, so nothing new can be stored. Messages accepted earlier are safe; try again once the operator has freed space.",
  },
  storage: {
    code: 'storage_unavailable',
    message: 'Relais cannot write to its database right now (storage error or lock). Nothing was changed; try again shortly.',
  },
};

/** The answer to a request that met a database fault: 503 (or 507 for a full disk) with Retry-After. */
export function databaseFaultError(kind: FaultKind): AppError {
  const { code, message } = DATABASE_FAULT_ERRORS[kind];
  return new AppError(code, message, { retryAfterSeconds: RETRY_AFTER_SECONDS });
}

/** Codes not listed above are validation problems: 422. */
export function statusFor(code: string): number {
  return STATUS_BY_CODE[code] ?? 422;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

interface Issue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: { keys?: string[]; params?: { code?: string } };
}

/** Zod issues from request validation → the first issue with a Relais code decides the error code. */
function fromValidation(issues: Issue[], context: string): AppError {
  const details = issues.map((i) => ({
    field: [context, ...(i.instancePath ?? '').split('/').filter(Boolean)].join('.'),
    message: i.message ?? 'is invalid',
  }));
  const coded = issues.find((i) => i.params?.params?.code);
  const code = coded?.params?.params?.code;
  if (code) return new AppError(code, coded.message ?? 'Invalid request.', details);
  const unknown = issues.find((i) => i.keyword === 'unrecognized_keys');
  if (unknown) {
    const keys = unknown.params?.keys ?? [];
    return new AppError('unknown_field', `Unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}. Check the spelling against the API documentation at /docs.`, details);
  }
  const first = details[0];
  return new AppError('validation_failed', first ? `${first.field}: ${first.message}` : 'The request is invalid.', details);
}

export function toAppError(error: FastifyError | Error): AppError | undefined {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    return fromValidation(error.validation as Issue[], (error as { validationContext?: string }).validationContext ?? 'body');
  }
  const code = (error as FastifyError).code;
  switch (code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('message_too_large', 'The request body is larger than Relais accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json.');
    default:
      if (error instanceof SyntaxError && (error as FastifyError).statusCode === 400) {
        return new AppError('invalid_json', 'The request body is not valid JSON.');
      }
      return undefined;
  }
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // A database fault is recorded (and logged once per incident) by the store's fault tracker.
  const faults = (request.server as { relais?: { store: { faults: { note(e: unknown): FaultKind | undefined } } } }).relais?.store.faults;
  // A Relais decision (an AppError, e.g. a relay host that does not resolve) is never a database fault.
  const fault = error instanceof AppError ? undefined : faults ? faults.note(error) : classifyDatabaseError(error);
  const appError = fault ? databaseFaultError(fault) : toAppError(error);
  if (appError) {
    const body: ErrorBody = { error: { code: appError.code, message: appError.message } };
    if (appError.details !== undefined) body.error.details = appError.details;
    const retryAfter = (appError.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.status(statusFor(appError.code)).send(body);
    return;
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  const body: ErrorBody = {
    error:
      status >= 500
        ? { code: 'internal_error', message: 'Something went wrong on our side. The error was logged; try again.' }
        : { code: error.code ? error.code.toLowerCase() : 'bad_request', message: error.message },
  };
  void reply.status(status).send(body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` } });
}
