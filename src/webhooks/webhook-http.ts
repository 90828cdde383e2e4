// One POST of a webhook, through the address guard: the endpoint's host is resolved and
// checked before every attempt (DNS rebinding), the socket goes to the address that passed,
// redirects are never followed, and the whole attempt has one deadline.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { AppError } from '../errors.ts';
import { resolveGuardedHost, type Resolver } from '../smtp/address-guard.ts';
import type { PostResult } from './webhook.ts';

export interface WebhookHttpOptions {
  /** `RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS`: http:// and private addresses allowed (tests, self-hosted). */
  allowPrivate: boolean;
  resolver?: Resolver;
  /** Deadline of one attempt, connection to last byte read. */
  timeoutMs: number;
  /** Extra CAs to trust (tests). */
  ca?: string[];
}

/** The start of an answer kept in the delivery log. */
const RESPONSE_KEEP_CHARS = 500;
const MAX_URL_LENGTH = 2000;

/** Checks a URL's form (not where it leads); throws AppError `webhook_url_invalid`. */
export function parseEndpointUrl(text: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('webhook_url_invalid', 'The endpoint URL is not a valid absolute URL such as https://platform.example/webhooks/relais.');
  }
  if (text.length > MAX_URL_LENGTH) throw new AppError('webhook_url_invalid', `The endpoint URL is longer than ${MAX_URL_LENGTH} characters.`);
  const schemes = allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    throw new AppError('webhook_url_invalid', allowPrivate ? 'The endpoint URL must start with https:// or http://.' : 'The endpoint URL must start with https://.', {
      problem: 'scheme',
    });
  }
  if (url.username || url.password) throw new AppError('webhook_url_invalid', 'The endpoint URL must not carry a user name or password.', { problem: 'credentials' });
  if (url.hash) throw new AppError('webhook_url_invalid', 'The endpoint URL must not have a #fragment.', { problem: 'fragment' });
  return url;
}

/**
 * Checks where the URL leads: its host must resolve to public unicast addresses only.
 * Returns the address to connect to. Throws AppError `webhook_url_not_allowed` or `webhook_host_not_found`.
 */
export async function guardEndpointUrl(url: URL, options: Pick<WebhookHttpOptions, 'allowPrivate' | 'resolver'>): Promise<{ address: string; family: 4 | 6 }> {
  try {
    const { address, family } = await resolveGuardedHost(url.hostname, { allowPrivate: options.allowPrivate, ...(options.resolver ? { resolver: options.resolver } : {}) });
    return { address, family };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const details = error.details as Record<string, unknown> | undefined;
    if (error.code === 'smtp_address_not_allowed') {
      throw new AppError('webhook_url_not_allowed', `${url.hostname} leads to an address Relais does not send webhooks to (${String(details?.reason)}): use a public address.`, details);
    }
    if (error.code === 'smtp_host_not_found') throw new AppError('webhook_host_not_found', `${url.hostname} does not resolve; check the endpoint URL.`, details);
    throw new AppError('webhook_url_invalid', `The endpoint URL's host is not a valid host name.`, details);
  }
}

/** POSTs `body` with `headers`; never throws. */
export async function postWebhook(urlText: string, headers: Record<string, string>, body: string, options: WebhookHttpOptions): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  let target: { address: string; family: 4 | 6 };
  try {
    url = parseEndpointUrl(urlText, options.allowPrivate);
    target = await guardEndpointUrl(url, options);
  } catch (error) {
    const code = error instanceof AppError && error.code === 'webhook_host_not_found' ? 'host_not_found' : 'address_not_allowed';
    return { kind: 'no-answer', errorCode: code, durationMs: elapsed() };
  }
  // Whatever the name resolves to now, the socket goes to the address the guard approved.
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request.destroy();
      resolve(result);
    };
    const request = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        lookup,
        agent: false,
        ...(options.ca ? { ca: options.ca } : {}),
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Relais-Webhooks/1' },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (text.length >= RESPONSE_KEEP_CHARS) done();
        });
        response.on('end', done);
        response.on('error', done);
        function done() {
          const retryAfter = response.headers['retry-after'];
          finish({ kind: 'answer', status: response.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body: sanitize(text), durationMs: elapsed() });
        }
      },
    );
    const deadline = setTimeout(() => finish({ kind: 'no-answer', errorCode: 'timeout', durationMs: elapsed() }), options.timeoutMs);
    request.on('error', () => finish({ kind: 'no-answer', errorCode: 'connection_failed', durationMs: elapsed() }));
    request.end(body);
  });
}

/** Printable text only, short: what the endpoint said, for the delivery log. */
function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  return printable.length > RESPONSE_KEEP_CHARS ? `${printable.slice(0, RESPONSE_KEEP_CHARS)}…` : printable;
}
