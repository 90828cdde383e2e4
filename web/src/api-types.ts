/**
 * The shapes the settings UI reads from the Relais API (see /docs of a running instance).
 *
 * session        The signed-in person, their memberships and the CSRF token for writes.
 * relay view     An organization's relay settings as owners see them: never the password,
 *                only `hasPassword`.
 * relay status   What every member may see: whether custom sending is on and the sender.
 * preset         A provider's defaults, mark, limits and numbered setup guide (fr, en).
 * check report   The flight check, one entry per step of a real SMTP session.
 * message        One email of the delivery log, with its attempts in the detail view.
 *
 * Fields marked "assumed" are not served by every Relais version yet; the UI treats them
 * as optional and degrades without them.
 */

export type Lang = 'fr' | 'en';
export type Role = 'owner' | 'admin' | 'member';

export interface Membership {
  organizationId: string;
  organizationName: string;
  role: Role;
}

export interface Session {
  user: { id: string; email: string; name: string };
  memberships: Membership[];
  /** Set when the session is bound to one organization (embedded sign-in). */
  organizationId: string | null;
  csrfToken: string;
  expiresAt: string;
}

export interface Organization {
  id: string;
  name: string;
  locale: Lang;
  features: { customSmtp: boolean };
  createdAt: string;
  updatedAt: string;
}

export type RelayStatus = 'off' | 'unverified' | 'active' | 'failing';
export type Security = 'tls' | 'starttls' | 'none';
export type FallbackPolicy = 'fallback' | 'hold';

export interface Explanation {
  id?: string;
  title: string;
  cause: string;
  fix: string[];
  /** The server's sanitized reply, when it gave one. */
  reply?: string;
}

export interface Relay {
  id: string;
  organizationId: string;
  preset: string;
  host: string;
  port: number;
  security: Security;
  username: string;
  hasPassword: boolean;
  fromEmail: string;
  fromName: string;
  replyTo: string | null;
  fallbackPolicy: FallbackPolicy;
  allowSelfSigned: boolean;
  version: number;
  status: RelayStatus;
  statusChangedAt: string;
  activeSince: string | null;
  inUse: boolean;
  verified: boolean;
  verifiedVersion: number | null;
  verifiedAt: string | null;
  /**
   * The last flight check or verification of the saved settings: `errorCode` is the failure's
   * explanation id (auth-failed…), explained for the relay's provider in `explanation`.
   */
  lastCheck: { version: number; at: string; passed: boolean; errorCode: string | null; reply: string | null; explanation?: Explanation | null } | null;
  warnings: { code: string; message: string }[];
  /**
   * Why the relay fails, explained for its provider (relay health): `since` is set once the
   * relay is `failing`, null while failures in a row are only being counted.
   */
  failure?: { since: string | null; errorCode: string; reply: string | null; at: string; consecutiveFailures: number; explanation: Explanation } | null;
  /** Whether a sending limit holds mail back right now (relay limits). */
  usage?: { state: 'ok' | 'busy' | 'rate_limited' | 'daily_quota'; resumesAt: string | null };
  createdAt: string;
  updatedAt: string;
}

/** The body of PUT …/smtp-relay. Omitting `password` keeps the stored one. */
export interface RelayInput {
  preset: string;
  host: string;
  port: number;
  security: Security;
  username: string;
  password?: string;
  fromEmail: string;
  fromName: string;
  replyTo: string | null;
  fallbackPolicy: FallbackPolicy;
  allowSelfSigned: boolean;
}

export interface RelayStatusView {
  customSmtp: boolean;
  configured: boolean;
  status: RelayStatus | null;
  inUse: boolean;
  fromEmail: string | null;
  fromName: string | null;
}

export type Localized = Record<Lang, string>;

export interface Preset {
  id: string;
  name: string;
  mark: { initials: string; color: string };
  host: string | null;
  hostChoices?: { host: string; label: Localized; endpoint?: { port: number; security: Security } }[];
  port: number;
  security: Security;
  alternatives?: { port: number; security: Security }[];
  usernameHint: Localized;
  fixedUsername?: string;
  passwordLabel: Localized;
  limits: { basis: Localized; [figure: string]: unknown };
  guide: Record<Lang, string[]>;
  notices?: { level: 'info' | 'warning'; text: Localized }[];
  docsUrl?: string;
}

export type StepId = 'dns' | 'connect' | 'greeting' | 'tls' | 'ehlo' | 'auth' | 'sender' | 'recipient' | 'test-email';
export type StepStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface CheckStep {
  id: StepId;
  status: StepStatus;
  durationMs: number;
  /** Human, in the language the check ran in. */
  detail: string;
  data?: { reply?: string; [key: string]: unknown };
  explanation?: Explanation;
  /** Stable error code, when the API gives one without an explanation. */
  errorCode?: string;
}

export interface CheckReport {
  passed: boolean;
  steps: CheckStep[];
  /** Present when a test email was requested. */
  testEmail?: { to: string; messageId: string; accepted: boolean; reply?: string };
}

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'deferred' | 'failed';
export type Route = 'platform' | 'relay' | 'fallback';

export interface Message {
  id: string;
  organizationId: string;
  status: MessageStatus;
  category: string | null;
  messageId: string;
  recipientCount: number;
  sizeBytes: number;
  attempts: number;
  route: Route | null;
  lastReply: string | null;
  lastErrorCode: string | null;
  createdAt: string;
  updatedAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
  failedAt: string | null;
  /** Assumed (delivery log): recipients and subject, for the table and the recipient filter. */
  to?: string[];
  subject?: string;
  /** The failed message this one re-sends. */
  resentFrom?: string | null;
}

export interface Attempt {
  attempt: number;
  route: Route;
  startedAt: string;
  finishedAt: string;
  outcome: 'sent' | 'deferred' | 'failed';
  reply: string | null;
  errorCode: string | null;
  /** How the failure was read: retried, refused for a recipient, the relay's settings, or the content. */
  classification?: 'temporary' | 'recipient-permanent' | 'relay-config' | 'message-rejected' | null;
  explanation?: Explanation;
}

export interface MessageRecipient {
  position: number;
  kind: 'to' | 'cc' | 'bcc';
  address: string;
  /** pending: still to deliver (a retry goes to it); failed: refused for good. */
  status: 'pending' | 'sent' | 'failed';
  reply: string | null;
}

export interface MessageDetail extends Message {
  recipients?: MessageRecipient[];
  history: Attempt[];
}

export interface MessageFilters {
  status?: MessageStatus;
  recipient?: string;
  category?: string;
  /** yyyy-mm-dd, inclusive. */
  from?: string;
  /** yyyy-mm-dd, inclusive. */
  to?: string;
}

export interface MessagePage {
  messages: Message[];
  nextCursor: string | null;
  /** Filters the server did not apply (older API): the screen applies or flags them itself. */
  unappliedFilters: (keyof MessageFilters)[];
}
