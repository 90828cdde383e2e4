/**
 * The settings UI's only door to the Relais API: typed calls, the CSRF header on every
 * cookie-authenticated write, and errors turned into `ApiError` with the stable `code`,
 * the server's `details` and, for form errors, the field each one belongs to.
 */
import type {
  CheckReport,
  CheckResult,
  CheckStep,
  ConnectProvider,
  Lang,
  MessageDetail,
  MessageFilters,
  MessagePage,
  Organization,
  ErrorBody,
  PresetCatalog,
  Relay,
  RelayInput,
  RelayStatusView,
  Resent,
  Security,
  Session,
  StepId,
} from './api-types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Any thrown value as an ApiError (a network failure becomes `network_error`). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'network_error', error instanceof Error ? error.message : String(error));
}

// Codes whose subject is one form field even though the server names no field.
const FIELD_OF_CODE: Record<string, string> = {
  smtp_host_invalid: 'host',
  smtp_host_not_found: 'host',
  smtp_address_not_allowed: 'host',
  smtp_port_not_allowed: 'port',
  smtp_plaintext_not_allowed: 'security',
  password_required: 'password',
};

/**
 * The form fields an error is about, with the server's words for each. Validation errors
 * carry `details: [{ field: "body.fromEmail", message }]`; a few codes name their field by
 * meaning. An empty result means the error is about the whole form.
 */
export function fieldErrors(error: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(error.details)) {
    for (const item of error.details as unknown[]) {
      if (typeof item !== 'object' || item === null) continue;
      const { field, message } = item as { field?: unknown; message?: unknown };
      if (typeof field !== 'string') continue;
      const name = field.replace(/^(body|querystring|params)\./, '').split('.')[0];
      if (name && !(name in out)) out[name] = typeof message === 'string' ? message : error.message;
    }
  }
  const byCode = FIELD_OF_CODE[error.code];
  if (byCode && !(byCode in out)) out[byCode] = error.message;
  return out;
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

/** Called when the API says the session is gone (expired, revoked, signed out elsewhere). */
export function whenSignedOut(listener: (() => void) | null): void {
  onSignedOut = listener;
}

interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  /** A 401 here is an answer (sign-in form, session probe), not a lost session. */
  expectUnauthenticated?: boolean;
}

function url(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, value);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  // Only a request with a body says it is JSON: Fastify refuses an empty JSON body.
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(url(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch (error) {
    throw asApiError(error);
  }
  if (!response.ok) throw await errorFrom(response, options.expectUnauthenticated ?? false);
  return response;
}

async function errorFrom(response: Response, expectUnauthenticated: boolean): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = response.statusText;
  let details: unknown;
  try {
    // Any error answer of the API; a proxy's JSON may lack parts of it.
    const body = (await response.json()) as Partial<ErrorBody>;
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    details = body.error?.details;
  } catch {
    // Not JSON (a proxy's page): the status code is all there is.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  if (response.status === 401 && !expectUnauthenticated) {
    csrfToken = null;
    onSignedOut?.();
  }
  return new ApiError(response.status, code, message, details, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

async function json<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
  const response = await send(method, path, options);
  return (await response.json()) as T;
}

const org = (orgId: string) => `/v1/organizations/${encodeURIComponent(orgId)}`;

// --- sessions -------------------------------------------------------------------------

export async function signIn(email: string, password: string): Promise<Session> {
  const session = await json<Session>('POST', '/v1/sessions', { body: { email, password }, expectUnauthenticated: true });
  csrfToken = session.csrfToken;
  return session;
}

/** The current session, or null when nobody is signed in. */
export async function currentSession(): Promise<Session | null> {
  try {
    const session = await json<Session>('GET', '/v1/sessions/current', { expectUnauthenticated: true });
    csrfToken = session.csrfToken;
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function signOut(): Promise<void> {
  await send('DELETE', '/v1/sessions/current', { expectUnauthenticated: true });
  csrfToken = null;
}

// --- organization ---------------------------------------------------------------------

export function getOrganization(orgId: string): Promise<Organization> {
  return json('GET', org(orgId));
}

export function setCustomSmtp(orgId: string, on: boolean): Promise<Organization> {
  return json('PATCH', org(orgId), { body: { features: { customSmtp: on } } });
}

// --- relay ----------------------------------------------------------------------------

/** The relay settings, or null when none are saved; `lang` is the language of a failure's explanation. */
export async function getRelay(orgId: string, lang: Lang): Promise<Relay | null> {
  try {
    return await json<Relay>('GET', `${org(orgId)}/smtp-relay`, { query: { lang } });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'relay_not_found') return null;
    throw error;
  }
}

export function getRelayStatus(orgId: string): Promise<RelayStatusView> {
  return json('GET', `${org(orgId)}/smtp-relay/status`);
}

export function saveRelay(orgId: string, input: RelayInput): Promise<Relay> {
  return json('PUT', `${org(orgId)}/smtp-relay`, { body: input });
}

export async function deleteRelay(orgId: string): Promise<void> {
  await send('DELETE', `${org(orgId)}/smtp-relay`);
}

export function activateRelay(orgId: string): Promise<Relay> {
  return json('POST', `${org(orgId)}/smtp-relay/activate`);
}

export function deactivateRelay(orgId: string): Promise<Relay> {
  return json('POST', `${org(orgId)}/smtp-relay/deactivate`);
}

/** The presets, and the providers whose "Sign in with …" button this platform offers. */
export function presetCatalog(): Promise<PresetCatalog> {
  return json('GET', '/v1/smtp-presets');
}

/**
 * Starts "Sign in with Microsoft / Google": the provider's page where the owner signs in and
 * consents; the provider then sends the browser back to the settings page.
 */
export async function startConnect(orgId: string, provider: ConnectProvider, loginHint?: string): Promise<string> {
  const body = { provider, ...(loginHint ? { loginHint } : {}) };
  return (await json<{ authorizationUrl: string }>('POST', `${org(orgId)}/smtp-relay/connect`, { body })).authorizationUrl;
}

// --- flight check ---------------------------------------------------------------------

/** The steps of a check in session order: implicit TLS comes before the greeting. */
export function checkSteps(security: Security): StepId[] {
  return security === 'tls'
    ? ['dns', 'connect', 'tls', 'greeting', 'ehlo', 'auth', 'sender', 'recipient', 'test-email']
    : ['dns', 'connect', 'greeting', 'tls', 'ehlo', 'auth', 'sender', 'recipient', 'test-email'];
}

export interface CheckOptions {
  lang: Lang;
  /** Also send a real test email to the signed-in owner's address. */
  sendTestEmail: boolean;
  /** Called as each step completes. */
  onStep?: (step: CheckStep) => void;
}

/**
 * Runs the flight check of the saved settings: `POST …/smtp-relay/check`, streamed as NDJSON
 * (one `{ "step": … }` line per finished step, then the result `{ "report": … }`, or an
 * `{ "error": … }` line should the check stop) so that `onStep` sees each step as it
 * completes. Explanations come in `lang`. A pass verifies the saved version, which
 * activation requires.
 */
export async function runCheck(orgId: string, options: CheckOptions): Promise<CheckReport> {
  const response = await send('POST', `${org(orgId)}/smtp-relay/check`, {
    body: options.sendTestEmail ? { sendTestEmail: true } : {},
    headers: { 'accept-language': options.lang, accept: 'application/x-ndjson' },
  });
  if (!response.body) throw new ApiError(response.status, 'network_error', 'The check answered nothing.');
  return readStream(response.body, options.onStep);
}

type CheckLine = { step: CheckStep } | CheckResult | ErrorBody;

async function readStream(body: ReadableStream<Uint8Array>, onStep?: (step: CheckStep) => void): Promise<CheckReport> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let report: CheckReport | null = null;
  const handle = (line: string): void => {
    if (line.trim() === '') return;
    const item = JSON.parse(line) as CheckLine;
    if ('error' in item) throw new ApiError(200, item.error.code, item.error.message, item.error.details);
    if ('step' in item) onStep?.(item.step);
    else report = item.report;
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    lines.forEach(handle);
    if (done) break;
  }
  handle(buffer);
  if (!report) throw new ApiError(200, 'network_error', 'The check stopped before its report.');
  return report;
}

// --- delivery log ---------------------------------------------------------------------

/**
 * One page of the delivery log, newest first. Filters go to the server as query parameters
 * (`status`, `recipient`, `category`, `from`, `to`), which applies them all.
 */
export function listMessages(orgId: string, filters: MessageFilters, cursor?: string): Promise<MessagePage> {
  return json('GET', `${org(orgId)}/messages`, { query: { ...filters, ...(cursor ? { cursor } : {}), limit: '50' } });
}

export function getMessage(orgId: string, messageId: string): Promise<MessageDetail> {
  return json('GET', `${org(orgId)}/messages/${encodeURIComponent(messageId)}`);
}

/** Sends a failed message again, as a new message linked to the original. */
export function resendMessage(orgId: string, messageId: string): Promise<Resent> {
  return json('POST', `${org(orgId)}/messages/${encodeURIComponent(messageId)}/resend`);
}
