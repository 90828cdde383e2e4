// Typed errors raised by the domain; the API maps `code` to an HTTP status in one place.

export type ErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'unknown_field'
  | 'invalid_address'
  | 'header_injection'
  | 'too_many_recipients'
  | 'message_too_large'
  | 'no_recipients'
  | 'no_body'
  | 'organization_not_found'
  | 'organization_exists'
  | 'message_not_found'
  | 'idempotency_conflict'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'internal_error'
  | (string & {});

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** Coerces anything caught as `unknown` into an Error, once. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
