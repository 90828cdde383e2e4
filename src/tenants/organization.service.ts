// Rules for organizations: creation, renaming, locale and feature flags.
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Locale } from '../glossary.ts';
import type { Db, Executor } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { releaseWaitingMail } from '../outbox/outbox.ts';
import { recordAudit } from './audit.repository.ts';
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
    private readonly db: Db,
    private readonly clock: Clock,
    /** Called once a change that made waiting mail due has committed, to wake the dispatchers. */
    private readonly onMessagesDue?: () => void,
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
    const current = await findOrganization(db, id);
    if (!current) throw new AppError('organization_not_found', `No organization has the id "${id}".`);
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

  /** Applies changes and records them in the organization's audit log, in one transaction. */
  async change(id: string, changes: OrganizationChanges, actor: Actor): Promise<Organization> {
    const { result, madeDue } = await this.db.transaction().execute(async (tx) => {
      const before = await findOrganization(tx, id);
      const after = await this.update(id, changes, tx);
      if (!before) return { result: after, madeDue: false };
      let madeDue = false;
      const at = after.updatedAt;
      const flags = (Object.keys(after.features) as (keyof OrganizationFeatures)[]).filter((k) => before.features[k] !== after.features[k]);
      if (flags.length > 0) {
        const details = Object.fromEntries(flags.map((k) => [k, { from: before.features[k], to: after.features[k] }]));
        await recordAudit(tx, { organizationId: id, actor, action: 'features.updated', target: 'features', details, at });
        // Mail held for the relay, or waiting on its limits, follows the new route at once.
        if (flags.includes('customSmtp')) madeDue = await releaseWaitingMail(tx, { organizationId: id, now: at, which: 'waiting-for-relay' });
      }
      const fields = (['name', 'locale'] as const).filter((k) => before[k] !== after[k]);
      if (fields.length > 0) {
        const details = Object.fromEntries(fields.map((k) => [k, { from: before[k], to: after[k] }]));
        await recordAudit(tx, { organizationId: id, actor, action: 'organization.updated', target: 'organization', details, at });
      }
      return { result: after, madeDue };
    });
    // Only once committed: a rolled-back change made nothing due.
    if (madeDue) this.onMessagesDue?.();
    return result;
  }
}
