/**
 * The shapes the settings UI reads from and sends to the Relais API, taken from the types
 * generated from the server's OpenAPI document (clients/typescript/src/schema.d.ts, written by
 * `npm run generate:client`), the same types the typed client uses. Nothing here is written
 * twice: a route whose answer changes changes the document, a test fails until the types are
 * regenerated, and then `npm run typecheck` shows every screen that must follow.
 *
 * Only `import type`: types are erased at build time, nothing of the client enters the bundle.
 *
 * session        The signed-in person, their memberships and the CSRF token for writes.
 * relay view     An organization's relay settings as owners see them: never the password,
 *                only `hasPassword`.
 * relay status   What every member may see: whether custom sending is on and the sender.
 * preset         A provider's defaults, mark, limits and numbered setup guide (fr, en).
 * connect        "Sign in with Microsoft / Google": the providers this platform offers, and
 *                the codes the provider's return to the settings page may carry.
 * check report   The flight check, one entry per step of a real SMTP session.
 * message        One email of the delivery log, with its attempts in the detail view.
 */
import type { components, operations } from '../../clients/typescript/src/schema.js';
import type { ConnectOutcome } from '../../src/relays/settings/relay-connect.ts';

/** The JSON body an operation answers with `status`. */
type Answer<Op extends keyof operations, Status extends number = 200> = operations[Op]['responses'] extends {
  [S in Status]: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** The JSON body an operation accepts. */
type RequestBody<Op extends keyof operations> = NonNullable<operations[Op]['requestBody']> extends { content: { 'application/json': infer Body } } ? Body : never;

/** Every error answer: `{ error: { code, message, details? } }` with a stable `code`. */
export type ErrorBody = components['schemas']['Error'];

export type Session = Answer<'getCurrentSession'>;
export type Membership = Session['memberships'][number];
export type Role = Membership['role'];

export type Organization = Answer<'getOrganization'>;
export type Lang = Organization['locale'];

export type Relay = Answer<'getRelay'>;
export type RelayStatus = Relay['status'];
export type Security = Relay['security'];
export type FallbackPolicy = Relay['fallbackPolicy'];
/** The body of PUT …/smtp-relay. Omitting `password` keeps the stored one. */
export type RelayInput = RequestBody<'putRelay'>;
export type RelayStatusView = Answer<'getRelayStatus'>;

/** GET /v1/smtp-presets: the presets and the providers offered for "Sign in with …". */
export type PresetCatalog = Answer<'listSmtpPresets'>;
export type Preset = PresetCatalog['presets'][number];
export type Localized = Preset['usernameHint'];

export type ConnectProvider = PresetCatalog['connectProviders'][number];
/** `?connect_error=<code>` on the settings page after the provider sent the browser back (a redirect, not an API answer). */
export type ConnectErrorCode = Exclude<ConnectOutcome, 'connected'>;

/** The final line of POST …/smtp-relay/check (streamed: each `{ step }` line comes first). */
export type CheckResult = Answer<'checkRelay'>;
export type CheckReport = CheckResult['report'];
export type CheckStep = CheckReport['steps'][number];
export type StepId = CheckStep['id'];
export type StepStatus = CheckStep['status'];

export type MessagePage = Answer<'listMessages'>;
export type Message = MessagePage['messages'][number];
export type MessageStatus = Message['status'];
export type MessageDetail = Answer<'getMessage'>;
export type Attempt = MessageDetail['history'][number];
export type MessageRecipient = MessageDetail['recipients'][number];
export type Resent = Answer<'resendMessage', 202>;

/** The delivery log's filters, as the server reads them (`from` and `to`: yyyy-mm-dd, inclusive). */
export type MessageFilters = Pick<NonNullable<operations['listMessages']['parameters']['query']>, 'status' | 'recipient' | 'category' | 'from' | 'to'>;

/**
 * What the UI shows of any explanation (a failing relay's, a check step's, an attempt's):
 * title, cause, numbered fix steps and the server's reply when there was one.
 */
export type Explanation = Pick<NonNullable<Relay['failure']>['explanation'], 'title' | 'cause' | 'fix' | 'reply'>;
