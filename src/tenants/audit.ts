// The audit log: who (a user or an API key) changed what in an organization, and when.

import type { AuditActor } from './actor.ts';

/** Actions recorded so far; relay changes use the `relay.` ones. */
export type AuditAction =
  | 'organization.updated'
  | 'features.updated'
  | 'member.added'
  | 'member.updated'
  | 'member.role_changed'
  | 'member.removed'
  | 'relay.saved'
  | 'relay.deleted'
  | 'relay.checked'
  | 'relay.activated'
  | 'relay.deactivated'
  | 'retention.updated'
  | 'personal-data.erased'
  | 'organization.deleted'
  | (string & {});

export interface AuditEntry {
  id: string;
  /** Position in the log, for pagination. */
  cursor: string;
  organizationId: string;
  actor: AuditActor;
  action: AuditAction;
  /** What was changed, e.g. `user:u_42` or `smtp-relay`. */
  target: string | null;
  /** Before/after values and other context; never secrets. */
  details: Record<string, unknown>;
  at: number;
}

/** Keys whose values never enter the audit log, whatever the caller passes. */
export const SECRET_KEY_PATTERN = /pass(word)?|secret|token|credential|private|apikey|api_key/i;

/** A copy of `details` with secret-looking keys replaced by "[redacted]", at any depth. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY_PATTERN.test(k) ? '[redacted]' : redactSecrets(v)]),
    );
  }
  return value;
}
