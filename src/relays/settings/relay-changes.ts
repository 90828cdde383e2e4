// What a change of an organization's relay amounts to, as pure functions: the settings a save
// stores, which of them changed, what the audit log keeps of them, the status after a check,
// and the errors a save answers. relay.service.ts applies them in its transactions.
import { sameHost, type Relay, type RelayLimitOverrides, type RelaySettings, type RelayStatus } from '../relay.ts';
import { isOAuth, type RelayAuth } from '../relay-auth.ts';
import type { RelayAuthInput } from './relay-oauth.ts';
import { AppError } from '../../errors.ts';

/**
 * A PUT: the settings, and the password when the owner typed one. Omitted `limits` keep the
 * stored overrides; null clears them. With OAuth2 `auth`, `password` carries the application's
 * secret (client secret, service account private key) and `username` the mailbox.
 */
export interface SaveRelayInput extends Omit<RelaySettings, 'limits' | 'auth'> {
  limits?: RelayLimitOverrides | null;
  password?: string;
  /** Absent: a password relay. A Google key left out keeps the stored account (`clientEmail` absent). */
  auth?: RelayAuthInput;
}

/** The settings a save stores: the input's, keeping the stored limit overrides when it leaves them out. */
export function settingsOf(input: SaveRelayInput, storedLimits: RelayLimitOverrides | null, auth: RelayAuth): RelaySettings {
  return {
    auth,
    preset: input.preset,
    host: input.host,
    port: input.port,
    security: input.security,
    username: input.username,
    fromEmail: input.fromEmail,
    fromName: input.fromName,
    replyTo: input.replyTo,
    fallbackPolicy: input.fallbackPolicy,
    allowSelfSigned: input.allowSelfSigned,
    limits: input.limits === undefined ? storedLimits : normalizeLimits(input.limits),
  };
}

/** Overrides without absent keys, in a stable key order; an empty set is no override. */
function normalizeLimits(limits: RelayLimitOverrides | null): RelayLimitOverrides | null {
  if (limits === null) return null;
  const entries = Object.entries(limits)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? null : (Object.fromEntries(entries) as RelayLimitOverrides);
}

const SETTING_FIELDS = ['preset', 'host', 'port', 'security', 'username', 'fromEmail', 'fromName', 'replyTo', 'fallbackPolicy', 'allowSelfSigned'] as const;

/** Settings that differ between what is stored and what was sent. */
export function changedFields(relay: Relay, input: SaveRelayInput & { auth: RelayAuth }): ((typeof SETTING_FIELDS)[number] | 'limits' | 'auth')[] {
  const changed: ((typeof SETTING_FIELDS)[number] | 'limits' | 'auth')[] = SETTING_FIELDS.filter((field) =>
    field === 'host' ? !sameHost(relay.host, input.host) : relay[field] !== input[field],
  );
  if (JSON.stringify(relay.auth) !== JSON.stringify(input.auth)) changed.push('auth');
  if (input.limits !== undefined && JSON.stringify(normalizeLimits(input.limits)) !== JSON.stringify(normalizeLimits(relay.limits))) changed.push('limits');
  return changed;
}

/** After a check: a pass makes an unverified relay ready (off), a failure makes a ready one unverified. In-use statuses are relay health's. */
export function statusAfterCheck(status: RelayStatus, passed: boolean): RelayStatus {
  if (passed && status === 'unverified') return 'off';
  // The owner checked a failing relay and it passes: the incident ends, the relay is used again.
  if (passed && status === 'failing') return 'active';
  if (!passed && status === 'off') return 'unverified';
  return status;
}

/** What the audit log keeps of the settings: never the password. */
export function auditedSettings(relay: Relay): Record<string, unknown> {
  return {
    preset: relay.preset,
    host: relay.host,
    port: relay.port,
    security: relay.security,
    username: relay.username,
    fromEmail: relay.fromEmail,
    fromName: relay.fromName,
    replyTo: relay.replyTo,
    fallbackPolicy: relay.fallbackPolicy,
    allowSelfSigned: relay.allowSelfSigned,
    limits: relay.limits,
    ...(isOAuth(relay.auth) ? { auth: relay.auth } : {}),
  };
}

/** Plaintext only where private relays are allowed (demo, tests): elsewhere the password and every message would cross the network in clear. */
export function requireEncryption(input: Pick<SaveRelayInput, 'security'>, allowPrivate: boolean): void {
  if (input.security === 'none' && !allowPrivate) {
    throw new AppError(
      'smtp_plaintext_not_allowed',
      'Choose "tls" (port 465) or "starttls" (ports 587, 25, 2525): without encryption the password and every message would cross the network in clear.',
    );
  }
}

export function relayNotFound(organizationId: string): AppError {
  return new AppError('relay_not_found', `The organization "${organizationId}" has no SMTP relay; create one with PUT …/smtp-relay.`);
}

export function relayChanged(): AppError {
  return new AppError('relay_changed', 'The relay was changed at the same time by someone else; reload it and try again.');
}

export function passwordRequired(message: string): AppError {
  return new AppError('password_required', message);
}
