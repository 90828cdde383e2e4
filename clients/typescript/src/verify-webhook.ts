// Verifies a webhook from Relais (Standard Webhooks): the `webhook-signature` header must hold a
// `v1,` signature made with the endpoint's secret over "{webhook-id}.{webhook-timestamp}.{body}",
// and the timestamp must be within 5 minutes of now. No dependencies: node:crypto only.
//
//   const event = verifyWebhook(process.env.RELAIS_WEBHOOK_SECRET, request.headers, rawBody);
//   // throws WebhookVerificationError when the request is not from Relais (answer 400)
//
// Pass the body exactly as received (string or bytes), before any JSON parsing.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far the `webhook-timestamp` may be from now, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export interface WebhookEvent<T = Record<string, unknown>> {
  /** e.g. `message.sent`, `relay.failing`, `webhook.test`. */
  type: string;
  /** When it happened, ISO 8601. */
  timestamp: string;
  data: T;
}

/** Headers as Node (`IncomingMessage.headers`), fetch (`Headers`) or a plain object give them. */
export type WebhookHeaders = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

export class WebhookVerificationError extends Error {
  constructor(
    /** missing_headers, invalid_timestamp, timestamp_out_of_tolerance, invalid_secret, no_matching_signature, invalid_body. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifyOptions {
  /** Seconds; 300 by default. */
  toleranceSeconds?: number;
  /** Milliseconds since the epoch; `Date.now()` by default (for tests). */
  now?: number;
}

/** Returns the event when the request is authentic and fresh; throws WebhookVerificationError otherwise. */
export function verifyWebhook(secret: string, headers: WebhookHeaders, body: string | Uint8Array, options: VerifyOptions = {}): WebhookEvent {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
  }
  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp is not a number of seconds');
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError('timestamp_out_of_tolerance', 'webhook-timestamp is too far from now (replayed or delayed message)');
  }
  const key = secretKey(secret);
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(payload).digest();
  let matched = false;
  for (const candidate of signatures.split(' ')) {
    const [version, encoded] = candidate.split(',', 2);
    if (version !== 'v1' || !encoded) continue;
    const given = Buffer.from(encoded, 'base64');
    // Compare every candidate, in constant time for equal lengths (a length differs only for garbage).
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  if (!matched) throw new WebhookVerificationError('no_matching_signature', 'no signature matches the secret');
  try {
    return JSON.parse(payload.toString('utf8')) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError('invalid_body', 'the body is not JSON');
  }
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new WebhookVerificationError('invalid_secret', 'the secret is empty or not base64 (expected whsec_…)');
  return key;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(' ') : value;
}
