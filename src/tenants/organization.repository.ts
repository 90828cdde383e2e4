// All SQL for organizations.
import type { Executor } from '../store/store.ts';
import type { OrganizationsTable } from '../store/schema.ts';
import { DEFAULT_FEATURES, type Organization } from './organization.ts';

function toOrganization(row: OrganizationsTable): Organization {
  return {
    id: row.id,
    name: row.name,
    locale: row.locale === 'en' ? 'en' : 'fr',
    features: { ...DEFAULT_FEATURES, ...(JSON.parse(row.features) as object) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findOrganization(db: Executor, id: string): Promise<Organization | undefined> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toOrganization(row) : undefined;
}

export async function insertOrganization(db: Executor, org: Organization): Promise<void> {
  await db
    .insertInto('organizations')
    .values({
      id: org.id,
      name: org.name,
      locale: org.locale,
      features: JSON.stringify(org.features),
      created_at: org.createdAt,
      updated_at: org.updatedAt,
    })
    .execute();
}

export async function updateOrganization(db: Executor, org: Organization): Promise<void> {
  await db
    .updateTable('organizations')
    .set({ name: org.name, locale: org.locale, features: JSON.stringify(org.features), updated_at: org.updatedAt })
    .where('id', '=', org.id)
    .execute();
}

export async function listOrganizations(db: Executor, limit: number, after?: string): Promise<Organization[]> {
  let q = db.selectFrom('organizations').selectAll().orderBy('id').limit(limit);
  if (after) q = q.where('id', '>', after);
  return (await q.execute()).map(toOrganization);
}
