// Sessions for people: a random cookie value (only its hash is stored), bound to a user and
// optionally to one organization, with idle and absolute expiry.

export type SessionKind = 'local' | 'embed';

export interface AuthSettings {
  /** A session unused for this long ends. */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, however active. */
  sessionAbsoluteMs: number;
  /** How long an embed link stays valid before it is opened. */
  embedTokenTtlMs: number;
  /** Failed sign-ins allowed per email address, and per client IP, within `loginWindowMs`. */
  loginMaxFailuresPerEmail: number;
  loginMaxFailuresPerIp: number;
  loginWindowMs: number;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = Object.freeze({
  sessionIdleMs: 8 * 60 * 60 * 1000,
  sessionAbsoluteMs: 7 * 24 * 60 * 60 * 1000,
  embedTokenTtlMs: 60 * 1000,
  loginMaxFailuresPerEmail: 5,
  // Higher than per email: a training centre's staff often share one public IP.
  loginMaxFailuresPerIp: 20,
  loginWindowMs: 15 * 60 * 1000,
});

export interface Session {
  idHash: string;
  userId: string;
  organizationId: string | null;
  kind: SessionKind;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export const SESSION_COOKIE = 'relais_session';
export const CSRF_HEADER = 'x-csrf-token';
