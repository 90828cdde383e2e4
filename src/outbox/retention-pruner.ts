// Retention in the background: deletes message content, then delivery-log entries, platform
// events and audit entries once they are older than their limit (the operator's, or an
// organization's shorter one), and final webhook deliveries with their attempts after the
// operator's events limit, in small batches, and gives SQLite's freed pages back.
//
// Each batch is one short statement or transaction over at most `batchSize` rows, and the
// pruner yields between batches, so delivery never waits behind it. Every batch is idempotent
// (a row is pruned once, whoever gets there first) and on PostgreSQL skips rows another
// process holds: every worker process runs its own pruner. Queued, deferred and sending
// messages are never touched: only final ones (sent, failed) are; likewise pending and
// delivering webhook deliveries (only delivered, failed and dropped ones are pruned).
import { setTimeout as pause } from 'node:timers/promises';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { toError } from '../errors.ts';
import { reclaimFreePages } from '../store/reclaim-space.ts';
import type { Store } from '../store/store.ts';
import { DAY_MS, effectiveRetention, listRetentionOverrides, pruneAudit, type RetentionKind, type RetentionLimits } from '../tenants/tenants.ts';
import { pruneContent } from './sql/prune-content.ts';
import { pruneEvents } from './sql/prune-events.ts';
import { pruneLog } from './sql/prune-log.ts';
import { pruneWebhookDeliveries } from '../webhooks/webhooks.ts';

export interface RetentionPrunerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** The operator's limits (RELAIS_RETENTION_*). */
  limits: RetentionLimits;
  /** Rows per batch (default 200); the pruner rests as long as each batch took before the next. */
  batchSize?: number;
  /** Batches of one kind per pass, so that one pass stays short (default 50); the rest waits for the next pass. */
  maxBatchesPerPass?: number;
  /** Time between passes when the last one finished its work (default one minute). */
  intervalMs?: number;
  /** Free SQLite pages handed back per pass at most (default 2000, 8 MB with 4 KB pages). */
  reclaimPages?: number;
}

/**
 * What a pass prunes: each retention kind, and `webhooks` (final webhook deliveries with their
 * attempts, counted by delivery), which follows the events limit.
 */
export type PrunedKind = RetentionKind | 'webhooks';

export type PruneReport = Record<PrunedKind, number> & { reclaimedPages: number; complete: boolean };

/** One scope of a pass: every organization under the operator's limits, or one organization under its own. */
interface Scope {
  organizationId?: string;
  limits: RetentionLimits;
}

export class RetentionPruner {
  private pass: Promise<void> | undefined;
  private nextPassAt = 0;

  constructor(private readonly deps: RetentionPrunerDeps) {}

  /** Starts a pass in the background when one is due and none is running; returns at once. */
  tick(): void {
    if (this.pass || this.deps.clock.now() < this.nextPassAt) return;
    this.pass = this.runOnce()
      .then(
        (report) => {
          // Work left over (a pass stops after maxBatchesPerPass): continue soon, not in a minute.
          this.nextPassAt = this.deps.clock.now() + (report.complete ? (this.deps.intervalMs ?? 60_000) : 1000);
        },
        (error: unknown) => {
          this.nextPassAt = this.deps.clock.now() + 30_000;
          if (!this.deps.store.faults.note(error)) this.deps.logger.error({ err: toError(error) }, 'retention pass failed; trying again shortly');
        },
      )
      .finally(() => {
        this.pass = undefined;
      });
  }

  /** Resolves once the pass started by `tick` (if any) has finished. */
  async settled(): Promise<void> {
    await this.pass;
  }

  /** When the next pass is due (for the dispatcher's housekeeping schedule); while one runs, a second from now. */
  get nextRunAt(): number {
    return this.pass ? this.deps.clock.now() + 1000 : this.nextPassAt;
  }

  /** One pass over every kind and every scope; returns the rows pruned by kind. */
  async runOnce(): Promise<PruneReport> {
    const { store, clock, limits } = this.deps;
    const scopes: Scope[] = [
      { limits },
      ...(await listRetentionOverrides(store.db)).map((o) => ({ organizationId: o.organizationId, limits: effectiveRetention(limits, o.own) })),
    ];
    const report: PruneReport = { content: 0, log: 0, events: 0, audit: 0, webhooks: 0, reclaimedPages: 0, complete: true };
    for (const scope of scopes) {
      const now = clock.now();
      const scoped = scope.organizationId !== undefined ? { organizationId: scope.organizationId } : {};
      const before = (days: number) => now - days * DAY_MS;
      const c = store.capabilities;
      const batch = { limit: this.deps.batchSize ?? 200 };
      // The delivery log first: a message deleted with its log entry needs no content pruning.
      for (const status of ['sent', 'failed'] as const) {
        await this.batches('log', report, () => pruneLog(store.db, c, { status, before: before(scope.limits.logDays), ...batch, ...scoped }));
        await this.batches('content', report, () =>
          pruneContent(store.db, c, { status, before: before(scope.limits.contentDays), now, ...batch, ...scoped }),
        );
      }
      await this.batches('events', report, () => pruneEvents(store.db, c, { before: before(scope.limits.eventsDays), ...batch, ...scoped }));
      await this.batches('audit', report, () => pruneAudit(store.db, c, { before: before(scope.limits.auditDays), ...batch, ...scoped }));
      // Webhook endpoints belong to the platform, not to an organization: their deliveries (ids
      // and codes only, never an address) follow the operator's events limit.
      if (scope.organizationId === undefined) {
        await this.batches('webhooks', report, () => pruneWebhookDeliveries(store.db, c, { before: before(scope.limits.eventsDays), ...batch }));
      }
    }
    if (report.content + report.log + report.events + report.audit + report.webhooks > 0) {
      const { pages } = await reclaimFreePages(store, this.deps.reclaimPages ?? 2000);
      report.reclaimedPages = pages;
      if (pages > 0) this.deps.metrics.retentionReclaimedPages.inc(pages);
      this.deps.logger.info(
        { content: report.content, log: report.log, events: report.events, audit: report.audit, webhooks: report.webhooks, reclaimedPages: pages },
        'retention pass pruned old data',
      );
    }
    return report;
  }

  /** Runs one kind's batches until a batch comes back short or the pass's share is spent. */
  private async batches(kind: PrunedKind, report: PruneReport, prune: () => Promise<number>): Promise<void> {
    const size = this.deps.batchSize ?? 200;
    const max = this.deps.maxBatchesPerPass ?? 50;
    for (let i = 0; i < max; i += 1) {
      const started = performance.now();
      const n = await prune();
      const took = performance.now() - started;
      if (n > 0) {
        report[kind] += n;
        this.deps.metrics.retentionPruned.inc({ kind }, n);
      }
      if (n < size) return;
      // Rest as long as the batch took: deliveries and requests get at least half of the
      // database's time (SQLite has one writer), however long the backlog.
      await pause(Math.min(1000, Math.max(1, took)));
    }
    report.complete = false;
  }
}
