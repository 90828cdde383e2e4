/**
 * Relays — an organization's own SMTP server, as Relais keeps it.
 *
 * settings      What the owner typed: server (host, port, security), credentials, the sender
 *               address and name, an optional Reply-To and what to do when the relay fails.
 * version       A whole number that grows by one on every saved change to the settings. Routing
 *               and connection pools are keyed by it, and a verification counts only for the
 *               version it checked.
 * verification  The flight check of the saved settings run up to sign-in (DNS, connect,
 *               greeting, TLS, EHLO, AUTH), or the full flight check. A passed verification of
 *               exactly the saved version is what activation requires.
 * status        off          not used for sending; the saved version passed its last check
 *                            and may be activated.
 *               unverified   not used for sending; the saved version has no passed check
 *                            (new or changed settings, or a failed check).
 *               active       messages of the organization leave through this relay (when the
 *                            organization's customSmtp flag is on).
 *               failing      was active and fails at the relay level (authentication, TLS…);
 *                            set by relay health, which also decides fallback or hold.
 * incident      The time a relay spends `failing`: it opens when relay-level failures reach the
 *               threshold (owners are emailed once) and ends when a probe or a trial message
 *               passes, or the owner verifies, changes or deactivates the relay.
 * limits        The provider's caps (per second, minute, hour, day; connections) from the preset,
 *               which the owner may override per relay; the queue paces sends to stay within them.
 */
import type { PresetId } from '../glossary.ts';
import type { RelayAuth } from './relay-auth.ts';

export type RelayStatus = 'off' | 'unverified' | 'active' | 'failing';
export type RelaySecurity = 'tls' | 'starttls' | 'none';
export type FallbackPolicy = 'fallback' | 'hold';

/** What an owner chooses; the password travels separately, write-only. */
export interface RelaySettings {
  preset: PresetId;
  host: string;
  port: number;
  security: RelaySecurity;
  username: string;
  fromEmail: string;
  fromName: string;
  replyTo: string | null;
  fallbackPolicy: FallbackPolicy;
  /** Accept a certificate that does not chain to a trusted authority. Off by default, shown as a warning. */
  allowSelfSigned: boolean;
  /** The owner's overrides of the preset's limits; null keeps the preset's figures. */
  limits: RelayLimitOverrides | null;
  /** How it signs in (password, or OAuth2 app sign-in as `username`); never a secret. */
  auth: RelayAuth;
}

/** Figures the queue keeps to for one relay; null = no cap of that kind. */
export interface RelayLimits {
  messagesPerSecond: number | null;
  messagesPerMinute: number | null;
  messagesPerHour: number | null;
  messagesPerDay: number | null;
  recipientsPerDay: number | null;
  /** Simultaneous SMTP connections (sends in flight) to this relay. */
  maxConnections: number;
}

/** An owner's override of some limits: a number replaces the preset's, null removes the cap. */
export type RelayLimitOverrides = Partial<Omit<RelayLimits, 'maxConnections'>> & { maxConnections?: number };

/** What relay health knows of the relay's latest failures and its current incident. */
export interface RelayHealthState {
  /** Relay-level failures in a row on the relay route. */
  consecutiveFailures: number;
  /** The latest relay-level failure (or failed probe): explanation id and the server's reply. */
  lastFailure: { errorCode: string; reply: string | null; at: number } | null;
  /** Start of the current incident; null when the relay is not failing. */
  failingSince: number | null;
  /** When the failing relay is next probed. */
  nextProbeAt: number | null;
  probeAttempts: number;
}

export const HEALTHY: RelayHealthState = { consecutiveFailures: 0, lastFailure: null, failingSince: null, nextProbeAt: null, probeAttempts: 0 };

export interface RelayCheckRecord {
  version: number;
  at: number;
  passed: boolean;
  /** The failure's explanation id (e.g. auth-failed, certificate-untrusted), null when passed. */
  errorCode: string | null;
  /** The server's sanitized reply, when it gave one. */
  reply: string | null;
}

export interface Relay extends RelaySettings {
  id: string;
  organizationId: string;
  version: number;
  /** The sealed password (envelope encryption), never shown. */
  sealedPassword: string;
  status: RelayStatus;
  statusChangedAt: number;
  /** When the relay last became active; null unless active or failing. */
  activeSince: number | null;
  /** The version whose latest check passed; activation requires it to equal `version`. */
  verifiedVersion: number | null;
  verifiedAt: number | null;
  lastCheck: RelayCheckRecord | null;
  health: RelayHealthState;
  createdAt: number;
  updatedAt: number;
}

/** Purpose bound into the sealed password, so it opens only as this relay's SMTP password. */
export const SMTP_PASSWORD_PURPOSE = 'smtp-password';

/** Fields a verification depends on: changing one of them voids it. */
export const CONNECTION_FIELDS = ['host', 'port', 'security', 'username', 'fromEmail', 'allowSelfSigned'] as const;

/**
 * Fields that, changed, make a stored password unusable: it only ever goes where it was saved
 * (host, port, user name), protected the way it was saved (security, certificate rule). Anyone
 * who may edit the settings could otherwise have Relais send it in clear, or to a certificate
 * nobody verifies, without knowing it.
 */
export const PASSWORD_BOUND_FIELDS = ['host', 'port', 'username', 'security', 'allowSelfSigned'] as const;

export type PasswordBoundSettings = Pick<RelaySettings, 'host' | 'port' | 'username' | 'security' | 'allowSelfSigned'>;

/** The password-bound fields that differ between the saved relay and other settings (host names compared as sameHost). */
export function passwordBoundChanges(relay: PasswordBoundSettings, settings: PasswordBoundSettings): (typeof PASSWORD_BOUND_FIELDS)[number][] {
  return PASSWORD_BOUND_FIELDS.filter((field) => (field === 'host' ? !sameHost(relay.host, settings.host) : relay[field] !== settings[field]));
}

/** Why the stored password cannot be used with settings that changed `changed`: the password_required message. */
export function passwordRequiredReason(changed: readonly (typeof PASSWORD_BOUND_FIELDS)[number][]): string {
  const protection = changed.filter((f) => f === 'security' || f === 'allowSelfSigned');
  if (changed.length > protection.length) {
    return 'Enter the password again: the server address, port or user name changed, and a stored password is never sent to another server.';
  }
  return 'Enter the password again: the security or the certificate rule changed, and a stored password is only sent encrypted as it was saved, to a certificate checked the way it was saved.';
}

export function isVerified(relay: Pick<Relay, 'version' | 'verifiedVersion'>): boolean {
  return relay.verifiedVersion === relay.version;
}

/** Host names compare without case and without a trailing dot. */
export function sameHost(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
}
