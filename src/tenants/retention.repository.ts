// All SQL for organizations' own retention limits.
import type { Executor } from '../store/store.ts';
import type { RetentionOverrides } from './retention.ts';

export async function findRetention(db: Executor, organizationId: string): Promise<RetentionOverrides> {
  const row = await db.selectFrom('organization_retention').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
  return row ? { contentDays: row.content_days, logDays: row.log_days, eventsDays: row.events_days, auditDays: row.audit_days } : {};
}

/** Every organization that chose shorter limits (few: the pruner reads them all at each pass). */
export async function listRetentionOverrides(db: Executor): Promise<{ organizationId: string; own: RetentionOverrides }[]> {
  const rows = await db.selectFrom('organization_retention').selectAll().execute();
  return rows.map((row) => ({
    organizationId: row.organization_id,
    own: { contentDays: row.content_days, logDays: row.log_days, eventsDays: row.events_days, auditDays: row.audit_days },
  }));
}

export async function saveRetention(db: Executor, organizationId: string, own: RetentionOverrides, now: number): Promise<void> {
  const values = {
    content_days: own.contentDays ?? null,
    log_days: own.logDays ?? null,
    events_days: own.eventsDays ?? null,
    audit_days: own.auditDays ?? null,
    updated_at: now,
  };
  await db
    .insertInto('organization_retention')
    .values({ organization_id: organizationId, ...values })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet(values))
    .execute();
}

export async function deleteRetention(db: Executor, organizationId: string): Promise<void> {
  await db.deleteFrom('organization_retention').where('organization_id', '=', organizationId).execute();
}
