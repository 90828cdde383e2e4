// Row shapes as the database holds them. Rows never leave the store's repositories:
// services map them to domain objects.
import type { Generated } from 'kysely';

export interface OrganizationsTable {
  id: string;
  name: string;
  locale: string;
  /** JSON object of feature flags, e.g. {"customSmtp":true}. */
  features: string;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** SHA-256 of the key, hex. Keys are high-entropy random strings, so a fast hash is enough. */
  key_hash: string;
  /** First characters of the key, shown in listings so people can tell keys apart. */
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface MessagesTable {
  id: string;
  organization_id: string;
  status: string;
  category: string | null;
  /** The Message-ID header, fixed at acceptance so every attempt carries the same one. */
  message_id_header: string;
  /** JSON of the accepted request (recipients, subject, bodies, attachments). */
  payload: string;
  size_bytes: number;
  recipient_count: number;
  idempotency_key: string | null;
  request_hash: string | null;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  route: string | null;
  last_reply: string | null;
  last_error_code: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  failed_at: number | null;
  /** The failed message this one re-sends, if any. */
  resent_from: string | null;
  /** Copy of the subject for listings (null for messages accepted before it was kept). */
  subject: string | null;
  /** `platform` for messages that must never leave through the organization's relay (relay alerts). */
  forced_route: string | null;
  /** `api` or `smtp` (SMTP submission). */
  source: string;
  /** The Message-ID an SMTP client submitted (idempotency per organization for 24 h); null otherwise. */
  submitted_message_id: string | null;
  /** When the content (bodies, attachments, headers, names) was deleted by retention or erasure; null while kept. */
  content_deleted_at?: number | null;
  /** 0 for `priority: "high"` (transactional mail), 1 otherwise: within an organization, lower ranks are claimed first. */
  priority_rank: number;
}

export interface MessageAttemptsTable {
  id: Generated<number>;
  message_id: string;
  attempt: number;
  route: string;
  started_at: number;
  finished_at: number;
  outcome: string;
  reply: string | null;
  error_code: string | null;
  /** temporary, recipient-permanent, relay-config or message-rejected; null for a clean attempt. */
  failure_class: string | null;
}

export interface UsersTable {
  /** Chosen by the platform (its own user id), global across organizations. */
  id: string;
  /** Lower-cased; unique. */
  email: string;
  name: string;
  /** `scrypt$N$r$p$salt$hash` (base64), or null for people who only sign in through the platform. */
  password_hash: string | null;
  created_at: number;
  updated_at: number;
}

export interface MembershipsTable {
  organization_id: string;
  user_id: string;
  /** owner | admin | member */
  role: string;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  /** SHA-256 of the cookie value, hex: the cookie itself is never stored. */
  id_hash: string;
  user_id: string;
  /** Embedded sessions (and logins naming one) are bound to one organization; null covers all the user's memberships. */
  organization_id: string | null;
  /** local | embed */
  kind: string;
  /** Sent back in x-csrf-token on cookie-authenticated writes. */
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  /** Absolute end of the session; idle expiry is computed from last_seen_at. */
  expires_at: number;
}

export interface EmbedTokenUsesTable {
  /** The token's unique id, recorded when it is exchanged so it works once. */
  jti: string;
  /** After this, the token is expired anyway and the row can go. */
  expires_at: number;
}

export interface ServerSecretsTable {
  name: string;
  /**
   * Random bytes (base64), generated once and shared by every process on this database, sealed
   * with the key ring (src/secrets/envelope.ts). Earlier versions stored them in clear; those
   * are sealed when first read.
   */
  value: string;
  created_at: number;
}

export interface AuditLogTable {
  /** Insertion order: sorting and the pagination cursor. */
  seq: Generated<number>;
  /** Public id (`aud_…`). */
  id: string;
  organization_id: string;
  /** api_key | user | system */
  actor_kind: string;
  actor_id: string;
  /** Key name or user email at the time of the change. */
  actor_label: string;
  /** e.g. features.updated, member.role_changed, relay.activated */
  action: string;
  target: string | null;
  /** JSON object; never holds secrets. */
  details: string;
  at: number;
}

export interface SmtpRelaysTable {
  id: string;
  organization_id: string;
  /** Grows by one on every saved change of the settings. */
  version: number;
  preset: string;
  host: string;
  port: number;
  /** tls | starttls | none */
  security: string;
  username: string;
  /** Envelope-encrypted (src/secrets/envelope.ts), bound to the organization and relay ids. */
  password_sealed: string;
  from_email: string;
  from_name: string;
  reply_to: string | null;
  /** fallback | hold */
  fallback_policy: string;
  /** 0 or 1 */
  allow_self_signed: number;
  /** off | unverified | active | failing */
  status: string;
  status_changed_at: number;
  active_since: number | null;
  /** The version whose latest verification passed. */
  verified_version: number | null;
  verified_at: number | null;
  last_check_version: number | null;
  last_check_at: number | null;
  /** 0 or 1 */
  last_check_passed: number | null;
  last_check_error_code: string | null;
  last_check_reply: string | null;
  /** JSON of the owner's overrides of the preset's limits (RelayLimitOverrides); null = the preset's. */
  limits: string | null;
  /** JSON of the OAuth2 sign-in settings without secrets (relays/relay-auth.ts); null = password. */
  auth: string | null;
  /** JSON list of the one-time sign-in notices already emailed to owners (relays/relay-notices.ts). */
  notices_sent: string | null;
  /** Relay-level failures in a row on the relay route; reset by a delivery. */
  consecutive_failures: number;
  /** Explanation id and sanitized reply of the latest relay-level failure (or failed probe). */
  failure_error_code: string | null;
  failure_reply: string | null;
  failure_at: number | null;
  /** Start of the current incident (status failing); null when there is none. */
  failing_since: number | null;
  /** When the failing relay is next probed (or trusted with one trial message). */
  next_probe_at: number | null;
  /** Probes that failed in the current incident: the index into the probe backoff. */
  probe_attempts: number;
  created_at: number;
  updated_at: number;
  /** A connected mailbox: when its refresh token was last used (NULL: not since it was saved). */
  connected_refreshed_at?: number | null;
}

export interface MessageRecipientsTable {
  message_id: string;
  position: number;
  kind: string;
  address: string;
  /** pending (still to deliver), sent, failed. */
  status: string;
  reply: string | null;
  updated_at: number;
}

export interface RelaySendsTable {
  id: Generated<number>;
  relay_id: string;
  message_id: string;
  started_at: number;
  /** The slot is held until then unless renewed (a dispatcher that died frees it). */
  expires_at: number;
  finished_at: number | null;
  /** 1 while in flight; once finished, 1 if the relay accepted the message, else 0. */
  messages: number;
  /** Recipients reserved while in flight; once finished, those the relay accepted. */
  recipients: number;
}

export interface EventsTable {
  id: Generated<number>;
  organization_id: string;
  type: string;
  message_id: string | null;
  data: string;
  created_at: number;
}

/** Attempts counted against one limited key (sign-in address or IP, checks per organization or person). */
export interface AttemptCountsTable {
  /** SHA-256 of the limited key (e.g. `sign-in:email:…`), base64url: no address is stored as typed. */
  key: string;
  /** JSON array of `[at, attemptId]`, at most the key's limit, newest last. */
  attempts: string;
  /** When the newest attempt leaves its window; the row can be deleted after that. */
  expires_at: number;
}

/** A "Connect with Microsoft / Google" authorization in progress (used once, short-lived). */
export interface OAuthConnectStatesTable {
  /** SHA-256 of the `state` sent to the provider, base64url. */
  state_hash: string;
  organization_id: string;
  /** Who asked: `user:<id>` or `api_key:<id>`; the callback must come from the same person. */
  requested_by: string;
  provider: string;
  code_verifier: string;
  nonce: string;
  login_hint: string | null;
  created_at: number;
  expires_at: number;
}

/** One row, rewritten by /readyz to learn whether the database takes writes. */
export interface ReadinessProbeTable {
  id: number;
  written_at: number;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string | null;
  event_types: string | null;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: number | null;
  sealed_secret: string;
  previous_sealed_secret: string | null;
  previous_secret_until: number | null;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  at: number;
  http_status: number | null;
  duration_ms: number;
  error_code: string | null;
  response: string | null;
  next_attempt_at: number | null;
}

/** Retention limits an organization chose shorter than the operator's (null: the operator's). */
export interface OrganizationRetentionTable {
  organization_id: string;
  content_days: number | null;
  log_days: number | null;
  events_days: number | null;
  audit_days: number | null;
  updated_at: number;
}

export interface Database {
  message_recipients: MessageRecipientsTable;
  events: EventsTable;
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  messages: MessagesTable;
  message_attempts: MessageAttemptsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  embed_token_uses: EmbedTokenUsesTable;
  server_secrets: ServerSecretsTable;
  audit_log: AuditLogTable;
  smtp_relays: SmtpRelaysTable;
  relay_sends: RelaySendsTable;
  attempt_counts: AttemptCountsTable;
  oauth_connect_states: OAuthConnectStatesTable;
  readiness_probe: ReadinessProbeTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  organization_retention: OrganizationRetentionTable;
}
