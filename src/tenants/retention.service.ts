// An organization's retention limits: the operator's, its own shorter ones, and what applies.
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { recordAudit } from './audit.repository.ts';
import { findOrganization } from './organization.repository.ts';
import { findRetention, saveRetention } from './retention.repository.ts';
import { effectiveRetention, longerThanOperator, type RetentionLimits, type RetentionOverrides } from './retention.ts';

export interface RetentionView {
  /** The operator's limits (RELAIS_RETENTION_*). */
  operator: RetentionLimits;
  /** The organization's own limits; null where it follows the operator's. */
  organization: { [K in keyof RetentionLimits]: number | null };
  /** What the pruner applies to this organization. */
  effective: RetentionLimits;
}

export class RetentionService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    readonly operator: RetentionLimits,
  ) {}

  async get(organizationId: string): Promise<RetentionView> {
    if (!(await findOrganization(this.db, organizationId))) {
      throw new AppError('organization_not_found', `No organization has the id "${organizationId}".`);
    }
    return this.view(await findRetention(this.db, organizationId));
  }

  /** Replaces the organization's own limits (null or absent: the operator's); never longer than the operator's. */
  async set(organizationId: string, own: RetentionOverrides, actor: Actor): Promise<RetentionView> {
    const longer = longerThanOperator(this.operator, own);
    if (longer.length > 0) {
      throw new AppError(
        'retention_too_long',
        `An organization may shorten the retention limits, never lengthen them: ${longer.map((k) => `${k} may be at most ${this.operator[k]}`).join(', ')}.`,
        { fields: longer.map((k) => ({ field: k, max: this.operator[k] })) },
      );
    }
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      if (!(await findOrganization(tx, organizationId))) {
        throw new AppError('organization_not_found', `No organization has the id "${organizationId}".`);
      }
      const previous = await findRetention(tx, organizationId);
      await saveRetention(tx, organizationId, own, now);
      await recordAudit(tx, {
        organizationId,
        actor,
        action: 'retention.updated',
        target: 'retention',
        details: { from: this.view(previous).organization, to: this.view(own).organization },
        at: now,
      });
    });
    return this.view(own);
  }

  private view(own: RetentionOverrides): RetentionView {
    return {
      operator: { ...this.operator },
      organization: {
        contentDays: own.contentDays ?? null,
        logDays: own.logDays ?? null,
        eventsDays: own.eventsDays ?? null,
        auditDays: own.auditDays ?? null,
      },
      effective: effectiveRetention(this.operator, own),
    };
  }
}
