// All SQL for the audit log. `recordAudit` takes the caller's transaction, so a change and
// its audit entry commit together.
import { newId } from '../ids.ts';
import { sql, type Selectable, type SqlBool } from 'kysely';
import type { AuditLogTable } from '../store/schema.ts';
import type { Capabilities } from '../store/capabilities.ts';
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

/** Deletes up to `limit` audit entries written before `before`, oldest first; returns how many went. */
export async function pruneAudit(db: Executor, caps: Capabilities, args: { before: number; limit: number; organizationId?: string }): Promise<number> {
  const result = await db
    .deleteFrom('audit_log')
    .where('seq', 'in', (eb) =>
      eb
        .selectFrom('audit_log')
        .select('seq')
        .where('at', '<', args.before)
        .$if(args.organizationId !== undefined, (q) => q.where('organization_id', '=', args.organizationId as string))
        .orderBy('at')
        .limit(args.limit)
        .$if(caps.skipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Replaces an erased address (any case) in the organization's audit entries; returns how many changed. */
export async function redactAddressInAudit(db: Executor, organizationId: string, address: string, replacement: string): Promise<number> {
  const pattern = `%${address.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
  const like = (column: 'details' | 'target' | 'actor_label') => sql<SqlBool>`lower(coalesce(${sql.ref(column)}, '')) like ${pattern} escape '!'`;
  const rows = await db
    .selectFrom('audit_log')
    .select(['seq', 'details', 'target', 'actor_label'])
    .where('organization_id', '=', organizationId)
    .where((eb) => eb.or([like('details'), like('target'), like('actor_label')]))
    .execute();
  const swap = (text: string) => text.replace(new RegExp(address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), replacement);
  for (const row of rows) {
    await db
      .updateTable('audit_log')
      .set({ details: swap(row.details), target: row.target === null ? null : swap(row.target), actor_label: swap(row.actor_label) })
      .where('seq', '=', row.seq)
      .execute();
  }
  return rows.length;
}
