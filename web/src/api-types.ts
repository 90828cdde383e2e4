/**
 * The shapes the settings UI reads from and sends to the Relais API, derived from the
 * server's own zod schemas (`z.infer` of what a route answers, `z.input` of what it accepts)
 * and, where a route has no schema, from the type its handler returns. Nothing here is
 * written twice: a server change the UI does not follow fails `npm run typecheck`.
 *
 * Only `import type` from the server: type imports are erased at build time, so no server
 * code reaches the bundle (ESLint refuses any other import of `src/` in `web/`).
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
import type { z } from 'zod';
import type { Locale } from '../../src/glossary.ts';
import type { messageDetailBody, messageListQuery, messagePageBody, resentBody } from '../../src/outbox/message.routes.ts';
import type { Localized as PresetText, Preset as ServerPreset } from '../../src/relays/settings/presets/preset.ts';
import type { CheckResult as ServerCheckResult } from '../../src/relays/settings/relay-check.service.ts';
import type { ConnectOutcome, ConnectProvider as ServerConnectProvider } from '../../src/relays/settings/relay-connect.ts';
import type { PresetCatalog as ServerPresetCatalog, relayBody, relayStatusView, relayView } from '../../src/relays/settings/relay.routes.ts';
import type { FlightCheckStep } from '../../src/smtp/flight-check.ts';
import type { organizationBody } from '../../src/tenants/organization.routes.ts';
import type { sessionBody } from '../../src/tenants/session.routes.ts';

export type Lang = Locale;

export type Session = z.infer<typeof sessionBody>;
export type Membership = Session['memberships'][number];
export type Role = Membership['role'];

export type Organization = z.infer<typeof organizationBody>;

export type Relay = z.infer<typeof relayView>;
export type RelayStatus = Relay['status'];
export type Security = Relay['security'];
export type FallbackPolicy = Relay['fallbackPolicy'];
/** The body of PUT …/smtp-relay. Omitting `password` keeps the stored one. */
export type RelayInput = z.input<typeof relayBody>;
export type RelayStatusView = z.infer<typeof relayStatusView>;

export type Localized = PresetText;
export type Preset = ServerPreset;
/** GET /v1/smtp-presets: the presets and the providers offered for "Sign in with …". */
export type PresetCatalog = ServerPresetCatalog;

export type ConnectProvider = ServerConnectProvider;
/** `?connect_error=<code>` on the settings page after the provider sent the browser back. */
export type ConnectErrorCode = Exclude<ConnectOutcome, 'connected'>;

/** The final line of POST …/smtp-relay/check (streamed: each `{ step }` line comes first). */
export type CheckResult = ServerCheckResult;
export type CheckReport = CheckResult['report'];
export type CheckStep = FlightCheckStep;
export type StepId = CheckStep['id'];
export type StepStatus = CheckStep['status'];

export type MessagePage = z.infer<typeof messagePageBody>;
export type Message = MessagePage['messages'][number];
export type MessageStatus = Message['status'];
export type MessageDetail = z.infer<typeof messageDetailBody>;
export type Attempt = MessageDetail['history'][number];
export type MessageRecipient = MessageDetail['recipients'][number];
export type Resent = z.infer<typeof resentBody>;

/** The delivery log's filters, as the server reads them (`from` and `to`: yyyy-mm-dd, inclusive). */
export type MessageFilters = Pick<z.input<typeof messageListQuery>, 'status' | 'recipient' | 'category' | 'from' | 'to'>;

/**
 * What the UI shows of any explanation (a failing relay's, a check step's, an attempt's):
 * title, cause, numbered fix steps and the server's reply when there was one.
 */
export type Explanation = Pick<NonNullable<Relay['failure']>['explanation'], 'title' | 'cause' | 'fix' | 'reply'>;
