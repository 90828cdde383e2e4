// Rules for organizations: creation, renaming, locale and feature flags.
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Locale } from '../glossary.ts';
import type { Executor } from '../store/store.ts';
import { DEFAULT_FEATURES, type Organization, type OrganizationFeatures } from './organization.ts';
import { findOrganization, insertOrganization, listOrganizations, updateOrganization } from './organization.repository.ts';

export interface CreateOrganization {
  id?: string;
  name: string;
  locale?: Locale;
}

export interface OrganizationChanges {
  name?: string;
  locale?: Locale;
  features?: Partial<OrganizationFeatures>;
}

export class OrganizationService {
  constructor(
    private readonly db: Executor,
    private readonly clock: Clock,
  ) {}

  async create(input: CreateOrganization): Promise<Organization> {
    const now = this.clock.now();
    const org: Organization = {
      id: input.id ?? randomUUID(),
      name: input.name,
      locale: input.locale ?? 'fr',
      features: { ...DEFAULT_FEATURES },
      createdAt: now,
      updatedAt: now,
    };
    if (await findOrganization(this.db, org.id)) {
      throw new AppError('organization_exists', `An organization with id "${org.id}" already exists.`);
    }
    await insertOrganization(this.db, org);
    return org;
  }

  async get(id: string): Promise<Organization> {
    const org = await findOrganization(this.db, id);
    if (!org) throw new AppError('organization_not_found', `No organization has the id "${id}".`);
    return org;
  }

  async list(limit: number, after?: string): Promise<Organization[]> {
    return listOrganizations(this.db, limit, after);
  }

  async update(id: string, changes: OrganizationChanges, db: Executor = this.db): Promise<Organization> {
    const current = await this.get(id);
    const next: Organization = {
      ...current,
      name: changes.name ?? current.name,
      locale: changes.locale ?? current.locale,
      features: { ...current.features, ...changes.features },
      updatedAt: this.clock.now(),
    };
    await updateOrganization(db, next);
    return next;
  }
}
