// All SQL for the audit log. `recordAudit` takes the caller's transaction, so a change and
// its audit entry commit together.
import { newId } from '../ids.ts';
import type { Selectable } from 'kysely';
import type { AuditLogTable } from '../store/schema.ts';
import type { Executor } from '../store/store.ts';
import { auditActorOf, type Actor, type AuditActor } from './actor.ts';
import { redactSecrets, type AuditAction, type AuditEntry } from './audit.ts';

export interface NewAuditEntry {
  organizationId: string;
  /** The acting API key, user or system part. */
  actor: Actor;
  action: AuditAction;
  target?: string | null;
  /** JSON-serialisable; secret-looking keys are redacted anyway. */
  details?: Record<string, unknown>;
  /** The clock's now(). */
  at: number;
}

/** Appends an entry to the organization's audit log, inside the caller's transaction. */
export async function recordAudit(db: Executor, entry: NewAuditEntry): Promise<AuditEntry> {
  const actor = auditActorOf(entry.actor);
  const details = redactSecrets(entry.details ?? {}) as Record<string, unknown>;
  const row = {
    id: newId('aud', entry.at),
    organization_id: entry.organizationId,
    actor_kind: actor.kind,
    actor_id: actor.id,
    actor_label: actor.label,
    action: entry.action,
    target: entry.target ?? null,
    details: JSON.stringify(details),
    at: entry.at,
  };
  const { seq } = await db.insertInto('audit_log').values(row).returning('seq').executeTakeFirstOrThrow();
  return toAuditEntry({ ...row, seq });
}

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    cursor: String(row.seq),
    organizationId: row.organization_id,
    actor: { kind: row.actor_kind as AuditActor['kind'], id: row.actor_id, label: row.actor_label },
    action: row.action,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    at: row.at,
  };
}

/** Newest first; `before` is the cursor of the last entry of the previous page. */
export async function listAudit(db: Executor, organizationId: string, limit: number, before?: number): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll().where('organization_id', '=', organizationId).orderBy('seq', 'desc').limit(limit);
  if (before !== undefined) q = q.where('seq', '<', before);
  return (await q.execute()).map(toAuditEntry);
}
