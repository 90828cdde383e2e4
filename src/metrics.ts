// Prometheus metrics, one registry per Relais instance (so tests never share counters).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  accepted: Counter<never>;
  sent: Counter<'route'>;
  deferred: Counter<'route'>;
  failed: Counter<'route'>;
  sendDuration: Histogram<'route' | 'outcome'>;
  queueDepth: Gauge<'status'>;
  /** Messages that waited for their relay (held, rate limited, daily quota) without an attempt. */
  postponed: Counter<'reason'>;
  relays: Gauge<'status'>;
  /** One send through an organization's relay, from handing it over to the final reply or the deadline; outcome sent, deferred, failed or timeout. */
  relaySendDuration: Histogram<'outcome'>;
  /** Relay transactions cut off by RELAIS_RELAY_SEND_TIMEOUT_SECONDS; kind delivery or probe. */
  relayDeadlineExpired: Counter<'kind'>;
  /** Database faults (lost connection, full disk, storage error), by kind. */
  databaseErrors: Counter<'kind'>;
  /** SMTP submission: connections opened. */
  smtpSessions: Counter<never>;
  /** SMTP submission: AUTH refused, by reason (bad_key, unknown_organization, throttled). */
  smtpAuthFailures: Counter<'reason'>;
  /** SMTP submission: messages by outcome (accepted, duplicate, refused, error). */
  smtpMessages: Counter<'outcome'>;
  /** Webhook attempts by what followed: delivered, retry, failed (retries exhausted), gone (410). */
  webhookAttempts: Counter<'result'>;
  webhookAttemptDuration: Histogram<'result'>;
  /** Endpoints Relais disabled: gone (410) or failing (5 days without success). */
  webhookEndpointsDisabled: Counter<'reason'>;
  /** Webhook deliveries waiting (pending) or under way (delivering). */
  webhookQueue: Gauge<'status'>;
  /** Rows removed by retention, by kind: content (messages whose content went), log (messages), events, audit. */
  retentionPruned: Counter<'kind'>;
  /** SQLite pages handed back to the file system after pruning (incremental vacuum). */
  retentionReclaimedPages: Counter<never>;
}

export interface MetricSources {
  /** Messages waiting or in flight, by status. */
  queueDepth: () => Promise<Record<string, number>>;
  /** Organization relays, by status (off, unverified, active, failing). */
  relayStatuses?: () => Promise<Record<string, number>>;
  /** Webhook deliveries pending or delivering. */
  webhookQueue?: () => Promise<Record<string, number>>;
}

export function createMetrics(sources: MetricSources | MetricSources['queueDepth'], defaults = false): Metrics {
  const { queueDepth, relayStatuses, webhookQueue } = typeof sources === 'function' ? { queueDepth: sources, relayStatuses: undefined, webhookQueue: undefined } : sources;
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'relais_' });
  return {
    registry,
    accepted: new Counter({ name: 'relais_messages_accepted_total', help: 'Messages accepted from the platform', registers: [registry] }),
    sent: new Counter({ name: 'relais_messages_sent_total', help: 'Messages delivered to an SMTP server', labelNames: ['route'], registers: [registry] }),
    deferred: new Counter({ name: 'relais_messages_deferred_total', help: 'Attempts that ended in a retry later', labelNames: ['route'], registers: [registry] }),
    failed: new Counter({ name: 'relais_messages_failed_total', help: 'Messages that failed for good', labelNames: ['route'], registers: [registry] }),
    sendDuration: new Histogram({
      name: 'relais_send_duration_seconds',
      help: 'Time to hand one message to the SMTP server',
      labelNames: ['route', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'relais_queue_depth',
      help: 'Messages waiting or being sent, by status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const counts = await queueDepth();
        for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
      },
    }),
    postponed: new Counter({
      name: 'relais_messages_postponed_total',
      help: 'Times a message waited for its relay without an attempt, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    relaySendDuration: new Histogram({
      name: 'relais_relay_send_duration_seconds',
      help: 'Time of one send through an organization relay, from handing it over to the final reply or the deadline, by outcome (sent, deferred, failed, timeout)',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    relayDeadlineExpired: new Counter({
      name: 'relais_relay_deadline_expired_total',
      help: 'Relay transactions cut off by their overall deadline (RELAIS_RELAY_SEND_TIMEOUT_SECONDS), by kind (delivery, probe)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    databaseErrors: new Counter({
      name: 'relais_database_errors_total',
      help: 'Database faults met by queries: connection (PostgreSQL away), full (no space left for SQLite), storage (SQLite I/O error or lock beyond its busy timeout)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    smtpSessions: new Counter({ name: 'relais_smtp_sessions_total', help: 'SMTP submission connections opened', registers: [registry] }),
    smtpAuthFailures: new Counter({
      name: 'relais_smtp_auth_failures_total',
      help: 'SMTP submission sign-ins refused, by reason (bad_key, unknown_organization, throttled)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    smtpMessages: new Counter({
      name: 'relais_smtp_messages_total',
      help: 'Messages submitted over SMTP, by outcome (accepted, duplicate: an earlier Message-ID, refused: invalid or too large, error: not stored)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'relais_webhook_attempts_total',
      help: 'Webhook delivery attempts by what followed (delivered, retry, failed, gone)',
      labelNames: ['result'],
      registers: [registry],
    }),
    webhookAttemptDuration: new Histogram({
      name: 'relais_webhook_attempt_duration_seconds',
      help: 'Time of one webhook attempt, from resolving the endpoint to its answer or the deadline',
      labelNames: ['result'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    webhookEndpointsDisabled: new Counter({
      name: 'relais_webhook_endpoints_disabled_total',
      help: 'Webhook endpoints Relais disabled, by reason (gone: answered 410; failing: 5 days without success)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    webhookQueue: new Gauge({
      name: 'relais_webhook_queue_depth',
      help: 'Webhook deliveries waiting (pending) or under way (delivering)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        if (!webhookQueue) return;
        const counts = await webhookQueue();
        for (const status of ['pending', 'delivering']) this.set({ status }, counts[status] ?? 0);
      },
    }),
    retentionPruned: new Counter({
      name: 'relais_retention_pruned_total',
      help: 'Rows removed by retention, by kind: content (messages whose bodies and attachments were deleted), log (messages deleted from the delivery log), events, audit, webhooks (final webhook deliveries deleted with their attempts)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    retentionReclaimedPages: new Counter({
      name: 'relais_retention_reclaimed_pages_total',
      help: 'SQLite database pages handed back to the file system after pruning (incremental vacuum)',
      registers: [registry],
    }),
    relays: new Gauge({
      name: 'relais_relays',
      help: 'Organization relays by status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        if (!relayStatuses) return;
        const counts = await relayStatuses();
        for (const status of ['off', 'unverified', 'active', 'failing']) this.set({ status }, counts[status] ?? 0);
      },
    }),
  };
}
