// Delivers webhooks: claims due deliveries, POSTs each (signed, through the address guard,
// within its deadline) in slots of its own, and records the attempt and what follows from it
// (delivered, retry later, endpoint gone, retries exhausted, endpoint failing for 5 days). It
// shares nothing with mail delivery but the database: a slow endpoint never holds a mail slot.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { toError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Store, Tx } from '../store/store.ts';
import {
  claimDeliveries,
  dropPendingDeliveries,
  insertAttempt,
  nextDeliveryDue,
  releaseDeliveryLeases,
  renewDeliveryLeases,
  settleDelivery,
} from './webhook-delivery.repository.ts';
import { disableEndpoint, findEndpoint, recordEndpointHealth } from './webhook-endpoint.repository.ts';
import type { WebhookEndpointService } from './webhook-endpoint.service.ts';
import { postWebhook, type WebhookHttpOptions } from './webhook-http.ts';
import { FAILING_DISABLE_MS, judgeAttempt, type AttemptVerdict } from './webhook-retry.ts';
import { webhookHeaders } from './webhook-signature.ts';
import type { ClaimedDelivery, SealedEndpoint } from './webhook.ts';
import { queueWebhookEvent } from './webhooks.ts';

export interface WebhookDispatcherDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  endpoints: WebhookEndpointService;
  http: WebhookHttpOptions;
  /** Deliveries in flight at once, apart from mail's slots. */
  concurrency: number;
  leaseMs: number;
  idlePollMs?: number;
  random?: () => number;
  workerId?: string;
}

export class WebhookDispatcher {
  readonly workerId: string;
  private readonly inFlight = new Map<string, Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly deps: WebhookDispatcherDeps) {
    this.workerId = deps.workerId ?? `webhooks-${randomBytes(6).toString('hex')}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heartbeat = setInterval(() => void this.renew(), Math.max(250, Math.floor(this.deps.leaseMs / 3)));
    this.heartbeat.unref();
    this.loop = this.run();
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Delivers everything due now and waits for it; returns how many attempts were made. For tests and one-shot runs. */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const claimed = await this.claim(this.deps.concurrency);
      if (claimed.length === 0) return handled;
      handled += claimed.length;
      await Promise.all(claimed.map((d) => this.track(d)));
    }
  }

  /** Stops claiming, lets attempts under way finish for up to `graceMs`, then gives the rest back. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUp?.();
    clearInterval(this.heartbeat);
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(this.inFlight.values()), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    const unfinished = [...this.inFlight.keys()];
    if (unfinished.length > 0) await releaseDeliveryLeases(this.deps.store.db, { owner: this.workerId, ids: unfinished, now: this.deps.clock.now() });
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        this.pendingWake = false;
        const free = this.deps.concurrency - this.inFlight.size;
        const claimed = free > 0 ? await this.claim(free) : [];
        for (const delivery of claimed) void this.track(delivery);
        if ((claimed.length > 0 && claimed.length === free) || this.pendingWake) continue;
        const idle = this.deps.idlePollMs ?? 1000;
        const due = await nextDeliveryDue(this.deps.store.db);
        const wait = due === undefined ? idle : Math.min(idle, Math.max(0, due - this.deps.clock.now()));
        if (this.pendingWake) continue;
        await this.sleep(wait);
      } catch (error) {
        if (!this.deps.store.faults.note(error)) this.deps.logger.error({ err: toError(error) }, 'webhook dispatcher loop error; retrying shortly');
        await this.sleep(1000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.deps.clock.now();
    return claimDeliveries(this.deps.store.db, this.deps.store.capabilities, {
      owner: this.workerId,
      now,
      leaseUntil: now + this.deps.leaseMs,
      limit,
      inFlight: [...this.inFlight.keys()],
    });
  }

  private track(delivery: ClaimedDelivery): Promise<void> {
    const work = this.attempt(delivery)
      .catch((error: unknown) => this.deps.logger.error({ err: toError(error), deliveryId: delivery.id }, 'could not deliver a webhook'))
      .finally(() => {
        this.inFlight.delete(delivery.id);
        if (this.running) this.wake();
      });
    this.inFlight.set(delivery.id, work);
    return work;
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const { clock } = this.deps;
    const endpoint = await findEndpoint(this.deps.store.db, delivery.endpointId);
    if (!endpoint) return;
    const startedAt = clock.now();
    const headers = webhookHeaders(this.deps.endpoints.signingSecrets(endpoint, startedAt), {
      id: delivery.eventId,
      timestamp: Math.floor(startedAt / 1000),
      body: delivery.payload,
    });
    const result = await postWebhook(endpoint.url, headers, delivery.payload, this.deps.http);
    const now = clock.now();
    const verdict = judgeAttempt(result, delivery.attempts, now, this.deps.random);
    const label = result.kind === 'answer' ? String(result.status) : result.errorCode;
    this.deps.metrics.webhookAttempts.inc({ result: verdict.kind });
    this.deps.metrics.webhookAttemptDuration.observe({ result: verdict.kind }, result.durationMs / 1000);
    this.deps.logger.info({ deliveryId: delivery.id, endpointId: endpoint.id, eventType: delivery.eventType, answer: label, verdict: verdict.kind }, 'webhook attempt finished');
    await this.deps.store.db.transaction().execute(async (tx) => {
      await insertAttempt(tx, {
        deliveryId: delivery.id,
        endpointId: endpoint.id,
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        attempt: delivery.attempts,
        at: startedAt,
        httpStatus: result.kind === 'answer' ? result.status : null,
        durationMs: result.durationMs,
        errorCode: result.kind === 'answer' ? null : result.errorCode,
        response: result.kind === 'answer' ? result.body : null,
        nextAttemptAt: verdict.kind === 'retry' ? verdict.at : null,
      });
      if (!(await settleDelivery(tx, { id: delivery.id, owner: this.workerId, status: statusOf(verdict), ...(verdict.kind === 'retry' ? { nextAttemptAt: verdict.at } : {}), now }))) return;
      await recordEndpointHealth(tx, endpoint.id, { succeeded: verdict.kind === 'delivered', now });
      if (verdict.kind === 'gone') await this.disable(tx, endpoint, 'gone', now);
      else if (verdict.kind !== 'delivered' && failingLongEnough(endpoint, now)) await this.disable(tx, endpoint, 'failing', now);
    });
  }

  /** Disables the endpoint, drops what waited for it, and tells the platform through its other endpoints. */
  private async disable(tx: Tx, endpoint: SealedEndpoint, reason: 'gone' | 'failing', now: number): Promise<void> {
    if (!(await disableEndpoint(tx, endpoint.id, { reason, now }))) return;
    await dropPendingDeliveries(tx, endpoint.id, now);
    await queueWebhookEvent(tx, { type: 'webhook_endpoint.disabled', data: { endpointId: endpoint.id, reason, disabledAt: new Date(now).toISOString() }, at: now }, { except: endpoint.id });
    this.deps.metrics.webhookEndpointsDisabled.inc({ reason });
    this.deps.logger.warn({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled');
  }

  private async renew(): Promise<void> {
    if (this.inFlight.size === 0) return;
    try {
      await renewDeliveryLeases(this.deps.store.db, { owner: this.workerId, ids: [...this.inFlight.keys()], leaseUntil: this.deps.clock.now() + this.deps.leaseMs });
    } catch (error) {
      this.deps.logger.warn({ err: toError(error) }, 'could not renew webhook leases');
    }
  }
}

function statusOf(verdict: AttemptVerdict): 'delivered' | 'pending' | 'failed' | 'dropped' {
  switch (verdict.kind) {
    case 'delivered':
      return 'delivered';
    case 'retry':
      return 'pending';
    case 'failed':
      return 'failed';
    case 'gone':
      return 'dropped';
  }
}

/** Failing since 5 days or more (counting from the first failure since the last success). */
function failingLongEnough(endpoint: SealedEndpoint, now: number): boolean {
  return endpoint.failingSince !== null && now - endpoint.failingSince >= FAILING_DISABLE_MS;
}
