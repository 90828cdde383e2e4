// The composition root: builds every service of a Relais instance from config and a few
// injected parts (store, clock, SMTP transport). Opens no socket of its own.
import addressparser from 'nodemailer/lib/addressparser';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { AcceptService } from './outbox/accept.service.ts';
import { Dispatcher } from './outbox/dispatcher.ts';
import type { Mailbox } from './outbox/message.ts';
import { MessageQueryService } from './outbox/message-query.service.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './outbox/retry-policy.ts';
import type { Router } from './outbox/router.ts';
import { countQueued } from './outbox/outbox.ts';
import { countRelaysByStatus } from './relays/settings/relay-statuses.ts';
import { notifyOutbox } from './outbox/wake-channel.ts';
import { DEFAULT_RELAY_HEALTH, RelayHealth, type RelayHealthSettings } from './relays/health/relay-health.ts';
import { relayProber } from './relays/settings/relay-sign-in.ts';
import { RelayLimiter } from './relays/sending/relay-limiter.ts';
import { RelayPools } from './relays/sending/relay-pools.ts';
import { RelayRouter } from './relays/sending/relay-router.ts';
import { RelayService } from './relays/settings/relay.service.ts';
import { secretKeysFromConfig, type SecretKeys } from './secrets/key-source.ts';
import type { Resolver } from './smtp/address-guard.ts';
import { createNodemailerTransport, parseSmtpUrl } from './smtp/nodemailer-transport.ts';
import type { SmtpTransport } from './smtp/transport.ts';
import { createAttemptBudget, type AttemptBudget } from './store/attempt-budget.ts';
import type { Store } from './store/store.ts';
import { ApiKeyService } from './tenants/api-key.service.ts';
import { AuditService } from './tenants/audit.service.ts';
import { EmbedService } from './tenants/embed.service.ts';
import { LoginThrottle } from './tenants/login-throttle.ts';
import { MemberService } from './tenants/member.service.ts';
import { OrganizationService } from './tenants/organization.service.ts';
import { DEFAULT_AUTH_SETTINGS, type AuthSettings } from './tenants/session.ts';
import { SessionService } from './tenants/session.service.ts';
import { OAuthTokenCache } from './smtp/oauth/token-cache.ts';
import { RelayConnect } from './relays/settings/relay-connect.ts';
import { RelayNotices } from './relays/health/relay-notices.ts';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.ts';
import { WebhookEndpointService } from './webhooks/webhook-endpoint.service.ts';
import { countOpenDeliveries } from './webhooks/webhooks.ts';
import { RetentionPruner } from './outbox/retention-pruner.ts';
import { RetentionService } from './tenants/retention.service.ts';
import { ErasureService } from './tenants/erasure.service.ts';

export interface RelaisDeps {
  store: Store;
  clock?: Clock;
  logger?: Logger;
  /** The platform's default sender; built from RELAIS_PLATFORM_SMTP_URL when absent. */
  platformTransport?: SmtpTransport;
  retryPolicy?: RetryPolicy;
  /** Extra CAs to trust for SMTP connections (tests with a private CA). */
  smtpCa?: string[];
  /** Session lifetimes, embed-link lifetime, login limits; defaults in DEFAULT_AUTH_SETTINGS. */
  auth?: Partial<AuthSettings>;
  /** Keys sealing relay passwords; from RELAIS_SECRET_KEY or the data dir's key file when absent. */
  secretKeys?: SecretKeys;
  /** DNS for relay hosts (the address guard); the system resolver when absent. Tests map names to loopback. */
  smtpResolver?: Resolver;
  /** Probe schedule and failure threshold of relay health; the threshold defaults to RELAIS_RELAY_FAILURE_THRESHOLD. */
  relayHealth?: Partial<RelayHealthSettings>;
  /** DNS for webhook endpoints (the address guard); the system resolver when absent. Tests map names to addresses. */
  webhookResolver?: Resolver;
  /** Deadline of one webhook attempt (15 s) and the webhook dispatcher's slots (4); tests shorten the deadline. */
  webhooks?: { timeoutMs?: number; concurrency?: number; ca?: string[]; random?: () => number };
}

export interface Relais {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  organizations: OrganizationService;
  apiKeys: ApiKeyService;
  members: MemberService;
  sessions: SessionService;
  embed: EmbedService;
  audit: AuditService;
  relays: RelayService;
  /** "Connect with Microsoft / Google": authorization requests and their callback. */
  relayConnect: RelayConnect;
  /** Connection pools to organizations' relays, one per relay version. */
  relayPools: RelayPools;
  /** Sending slots and rate windows of each relay. */
  relayLimiter: RelayLimiter;
  /** Failing relays: incidents, probes, owner alerts. */
  relayHealth: RelayHealth;
  /** Sign-in attempts and flight checks counted against their limits (in the database when processes share it). */
  attempts: AttemptBudget;
  accept: AcceptService;
  messages: MessageQueryService;
  dispatcher: Dispatcher;
  /** The platform's webhook endpoints. */
  webhooks: WebhookEndpointService;
  /** Delivers webhooks in slots of its own, beside the mail dispatcher. */
  webhookDispatcher: WebhookDispatcher;
  /** How long personal data is kept: the operator's limits and organizations' shorter ones. */
  retention: RetentionService;
  /** Deletes what is older than its retention limit, in the background (the dispatcher's housekeeping). */
  retentionPruner: RetentionPruner;
  /** Erasing one person's address; deleting an organization. */
  erasure: ErasureService;
  platformFrom: Mailbox;
  /** Stops the dispatcher (grace period from config) and closes SMTP pools. Not the store. */
  close(): Promise<void>;
}

export function parsePlatformFrom(value: string): Mailbox {
  const [first] = addressparser(value, { flatten: true });
  if (!first?.address) throw new Error(`RELAIS_PLATFORM_FROM "${value}" is not an address such as "Platform <hello@platform.example>"`);
  return first.name ? { name: first.name, address: first.address } : { address: first.address };
}

const DATABASE_FAULT_LOG = {
  connection: 'database unreachable (restart, failover or lost connection): answering 503 and retrying until it returns',
  full: 'database disk full: accepting nothing (507) until space is freed',
  storage: 'database storage error (I/O error or lock beyond the busy timeout): answering 503 until it clears',
} as const;

export function createRelais(config: Config, deps: RelaisDeps): Relais {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const { store } = deps;
  const metrics = createMetrics({
    queueDepth: () => countQueued(store.db),
    relayStatuses: () => countRelaysByStatus(store.db),
    webhookQueue: () => countOpenDeliveries(store.db),
  });
  // Every database fault is counted; the first of an incident is logged with its real error.
  store.faults.onFault(({ kind, error, opened }) => {
    metrics.databaseErrors.inc({ kind });
    if (opened) logger.error({ err: error, kind }, DATABASE_FAULT_LOG[kind]);
  });
  const platformFrom = parsePlatformFrom(config.platformFrom);
  const platformTransport = deps.platformTransport ?? createPlatformTransport(config, logger, deps.smtpCa);
  const retryPolicy = deps.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const messageIdDomain = platformFrom.address.split('@')[1] ?? 'relais.invalid';
  // Mail became due outside the API (released held mail, relay alerts): this process's
  // dispatcher and the others' look at the queue now.
  const wakeDispatchers = (): void => {
    dispatcher.wake();
    webhookDispatcher.wake();
    notifyOutbox(store).catch((error: unknown) => logger.warn({ err: error }, 'could not notify other dispatchers'));
  };
  // One key ring seals relay passwords and Relais's own secrets (the embed-link signing key).
  const secrets = deps.secretKeys ?? secretKeysFromConfig(config, logger);
  const relays = new RelayService({
    db: store.db,
    clock,
    secrets,
    connection: {
      allowedPorts: config.smtpAllowedPorts,
      allowPrivate: config.allowPrivateSmtpHosts,
      ...(deps.smtpResolver ? { resolver: deps.smtpResolver } : {}),
      ...(deps.smtpCa ? { ca: deps.smtpCa } : {}),
      timeouts: config.relayTimeouts,
      dispatchConcurrency: config.dispatchConcurrency,
      deadlineMs: config.relaySendTimeoutMs,
    },
    oauth: { ...config.oauth, tokens: new OAuthTokenCache(clock) },
    onMessagesDue: wakeDispatchers,
    sharedAcrossProcesses: store.capabilities.sharedAcrossProcesses,
  });
  const relayPools = new RelayPools(createNodemailerTransport, logger.child({ component: 'relay-pools' }));
  const relayLimiter = new RelayLimiter({
    db: store.db,
    clock,
    dispatchConcurrency: config.dispatchConcurrency,
    leaseMs: config.leaseSeconds * 1000,
    // A send still in flight after a quarter of its deadline (10 s at most) makes its relay slow.
    slowAfterMs: Math.min(10_000, config.relaySendTimeoutMs / 4),
  });
  const relayHealth = new RelayHealth({
    db: store.db,
    clock,
    logger: logger.child({ component: 'relay-health' }),
    settings: {
      ...DEFAULT_RELAY_HEALTH,
      failureThreshold: config.relayFailureThreshold,
      // A probe or trial under way is never taken for dead before its deadline has passed.
      probeLeaseSeconds: Math.max(DEFAULT_RELAY_HEALTH.probeLeaseSeconds, Math.ceil(config.relaySendTimeoutMs / 1000) + 30),
      ...deps.relayHealth,
    },
    publicUrl: config.publicUrl,
    messageIdDomain,
    maxAgeSeconds: retryPolicy.maxAgeSeconds,
    probeRelay: relayProber(relays),
    probeDeadlineMs: config.relaySendTimeoutMs,
    metrics,
    onMessagesDue: wakeDispatchers,
  });
  const relayConnect = new RelayConnect({ db: store.db, clock, oauth: config.oauth, relays, onAuthorizationLost: (relay) => relayHealth.authorizationLost(relay) });
  const relayNotices = new RelayNotices({
    db: store.db,
    clock,
    logger: logger.child({ component: 'relay-notices' }),
    publicUrl: config.publicUrl,
    messageIdDomain,
    onMessagesDue: wakeDispatchers,
  });
  const router: Router = new RelayRouter({
    db: store.db,
    clock,
    platformFrom,
    platformTransport,
    pools: relayPools,
    transportSettings: (relay) => relays.transportSettings(relay),
    limiter: relayLimiter,
    health: relayHealth,
  });
  const retentionPruner = new RetentionPruner({
    store,
    clock,
    logger: logger.child({ component: 'retention' }),
    metrics,
    limits: config.retention,
  });
  const dispatcher = new Dispatcher({
    store,
    clock,
    router,
    logger: logger.child({ component: 'dispatcher' }),
    metrics,
    retryPolicy,
    leaseMs: config.leaseSeconds * 1000,
    concurrency: config.dispatchConcurrency,
    // Each settled message recorded its event: its webhooks leave now rather than at the next poll.
    onRecorded: () => webhookDispatcher.wake(),
    housekeeping: {
      // Relay health's probes, then the owners' one-time sign-in notices (secret expiry, Microsoft's date).
      tick: async () => {
        const next = await relayHealth.tick();
        await relayNotices.tick().catch((error: unknown) => logger.error({ err: error }, 'could not send sign-in notices'));
        await relayConnect.refreshIdle().catch((error: unknown) => logger.error({ err: error }, 'could not refresh idle connected mailboxes'));
        // Retention runs beside delivery, in small batches, without holding up this tick.
        retentionPruner.tick();
        return next === undefined ? retentionPruner.nextRunAt : Math.min(next, retentionPruner.nextRunAt);
      },
      settled: async () => {
        await relayHealth.settled();
        await retentionPruner.settled();
      },
    },
  });
  const accept = new AcceptService({
    store,
    clock,
    maxMessageBytes: config.maxMessageBytes,
    messageIdDomain,
    onAccepted: () => {
      metrics.accepted.inc();
      wakeDispatchers();
    },
  });
  const webhookGuard = { allowPrivate: config.allowPrivateWebhookUrls, ...(deps.webhookResolver ? { resolver: deps.webhookResolver } : {}) };
  const webhooks = new WebhookEndpointService({ db: store.db, clock, secrets, guard: webhookGuard, onQueued: () => webhookDispatcher.wake() });
  const webhookDispatcher = new WebhookDispatcher({
    store,
    clock,
    logger: logger.child({ component: 'webhooks' }),
    metrics,
    endpoints: webhooks,
    http: { ...webhookGuard, timeoutMs: deps.webhooks?.timeoutMs ?? 15_000, ...(deps.webhooks?.ca ? { ca: deps.webhooks.ca } : {}) },
    concurrency: deps.webhooks?.concurrency ?? 4,
    leaseMs: config.leaseSeconds * 1000,
    ...(deps.webhooks?.random ? { random: deps.webhooks.random } : {}),
  });
  const auth: AuthSettings = { ...DEFAULT_AUTH_SETTINGS, ...deps.auth };
  const attempts = createAttemptBudget(store, clock);
  const sessions = new SessionService(store.db, clock, auth, new LoginThrottle(attempts, auth));
  return {
    config,
    store,
    clock,
    logger,
    metrics,
    organizations: new OrganizationService(store.db, clock, wakeDispatchers),
    apiKeys: new ApiKeyService(store.db, clock),
    members: new MemberService(store.db, clock),
    sessions,
    embed: new EmbedService(store.db, clock, sessions, secrets, { publicUrl: config.publicUrl, ttlMs: auth.embedTokenTtlMs }),
    audit: new AuditService(store.db),
    relays,
    relayConnect,
    relayPools,
    relayLimiter,
    relayHealth,
    attempts,
    accept,
    messages: new MessageQueryService(store.db),
    dispatcher,
    webhooks,
    webhookDispatcher,
    platformFrom,
    retention: new RetentionService(store.db, clock, config.retention),
    retentionPruner,
    erasure: new ErasureService({ db: store.db, clock, removeRelay: (organizationId, actor) => relayConnect.remove(organizationId, actor) }),
    async close() {
      await Promise.all([dispatcher.stop(config.shutdownGraceSeconds * 1000), webhookDispatcher.stop(config.shutdownGraceSeconds * 1000)]);
      await retentionPruner.settled();
      await platformTransport.close();
      await relayPools.close();
    },
  };
}

function createPlatformTransport(config: Config, logger: Logger, ca?: string[]): SmtpTransport {
  if (!config.platformSmtpUrl) {
    // Without a platform sender nothing can be delivered; sends fail as temporary until configured.
    return {
      async send() {
        throw Object.assign(new Error('RELAIS_PLATFORM_SMTP_URL is not set'), { code: 'ECONFIG' });
      },
      async close() {},
    };
  }
  const settings = parseSmtpUrl(config.platformSmtpUrl);
  if (settings.security === 'none' && !settings.opportunisticTls) {
    logger.warn(
      { host: settings.host, port: settings.port, credentials: settings.auth !== undefined },
      settings.auth
        ? 'RELAIS_PLATFORM_SMTP_URL has ?starttls=never: the platform sender logs in and sends in plain text; anyone on the network path can read its credentials and the messages'
        : 'RELAIS_PLATFORM_SMTP_URL has ?starttls=never: the platform sender sends in plain text; anyone on the network path can read the messages',
    );
  }
  return createNodemailerTransport({ ...settings, ...(ca ? { ca } : {}) });
}
