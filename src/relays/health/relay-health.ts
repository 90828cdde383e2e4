// Relay health: a circuit breaker per relay.
//
//   closed     status active. Each relay-level failure on the relay route (sign-in refused,
//              send-as denied, TLS, unreachable or silent server) counts; a delivery resets
//              the count. At the threshold the relay becomes `failing`: an incident opens,
//              owners get one email through the platform sender, the event relay.failing is
//              written, and the organization's mail follows its policy (fallback or hold).
//   open       status failing. The relay is probed with backoff: the flight check up to sign-in
//              (connect, TLS, greeting, AUTH) for failures such a check can see; for failures only a
//              message can show (the relay refuses the sender or the message), one message is
//              trusted to the relay as a trial.
//   recovered  a probe or trial passes: status active again, relay.recovered, owners told,
//              held mail released. The owner verifying or changing the relay also ends the
//              incident (relay.service.ts).
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import type { SendFeedback } from '../../outbox/router.ts';
import { queueSystemMessage, recordEvent, releaseWaitingMail } from '../../outbox/outbox.ts';
import { EXPLANATIONS, explainById, OAUTH_EXPLANATION_IDS, type ExplanationId } from '../../smtp/explanations.ts';
import { REPLY_RULES } from '../../smtp/reply-classification.ts';
import { relayTimeoutError } from '../../smtp/transport.ts';
import type { Metrics } from '../../metrics.ts';
import type { Db, Executor } from '../../store/store.ts';
import type { SystemActor } from '../../tenants/actor.ts';
import { findOrganization, listOwners, recordAudit } from '../../tenants/tenants.ts';
import type { Organization } from '../../tenants/organization.ts';
import { failingAlert, recoveredAlert, type AlertText } from './relay-alert.ts';
import {
  claimProbe,
  countRelayFailure,
  listDueProbes,
  markRelayFailing,
  markRelayRecovered,
  nextProbeAt,
  recordProbeFailure,
  reopenProbe,
  resetRelayFailures,
} from './relay-health.repository.ts';
import { DAY_MS, HOUR_MS } from '../sending/relay-limits.ts';
import { pruneSends } from '../sending/relay-sends.repository.ts';
import type { ProbeRelay } from '../settings/relay-sign-in.ts';
import type { Relay } from '../relay.ts';

export interface RelayHealthSettings {
  /** Relay-level failures in a row that make an active relay `failing`. */
  failureThreshold: number;
  /** Delays before the 1st, 2nd… probe of a failing relay; the last one repeats. */
  probeScheduleSeconds: readonly number[];
  /** A probe or trial that never reports back (its process died) is due again after this. */
  probeLeaseSeconds: number;
}

export const DEFAULT_RELAY_HEALTH: RelayHealthSettings = {
  failureThreshold: 3,
  probeScheduleSeconds: [60, 120, 300, 600, 1800, 3600],
  probeLeaseSeconds: 120,
};

/** Failures a connection check (connect, TLS, greeting, sign-in) can tell are fixed. */
export const PROBED_EXPLANATIONS: readonly ExplanationId[] = [
  'auth-failed',
  'auth-not-supported',
  'auth-required',
  'microsoft-smtp-auth-disabled',
  'microsoft-basic-auth-retired',
  'gmail-app-password-required',
  'oauth-authorization-expired',
  ...OAUTH_EXPLANATION_IDS,
  'starttls-required',
  'tls-handshake-failed',
  'tls-mode-mismatch',
  'certificate-expired',
  'certificate-hostname-mismatch',
  'certificate-untrusted',
  'connection-refused',
  'connection-timeout',
  'greeting-timeout',
  'relay-timeout',
  'host-not-found',
  'not-smtp-server',
  'client-not-allowed',
];

/** Temporary failures that still count against the relay: it cannot be reached, never greets, or outlasts the deadline. */
const UNREACHABLE: ReadonlySet<string> = new Set(['connection-timeout', 'greeting-timeout', 'relay-timeout']);

/**
 * Explanation ids (stored as attempts' error codes) of relay-level failures: the ones the
 * classification table calls relay-config, and the unreachable ones. `unexpected-reply` is
 * left out: it also names temporary failures the table does not know.
 */
const RELAY_LEVEL: ReadonlySet<string> = new Set([
  ...REPLY_RULES.filter((rule) => rule.then.class === 'relay-config' && rule.then.explanation !== 'unexpected-reply').map((rule) => rule.then.explanation),
  ...UNREACHABLE,
]);

/** Whether an attempt's error code says the relay itself failed (sign-in, send-as, TLS, unreachable, greeting refused, deadline). */
export function isRelayLevelFailure(errorCode: string | null): boolean {
  return errorCode !== null && RELAY_LEVEL.has(errorCode);
}

/** The failure says the relay itself is unusable (not one message or recipient). */
export function countsAgainstRelay(feedback: Pick<SendFeedback, 'failureClass' | 'errorCode' | 'outcome'>): boolean {
  if (feedback.outcome === 'sent') return false;
  if (feedback.failureClass === 'relay-config') return true;
  return feedback.failureClass === 'temporary' && feedback.errorCode !== null && UNREACHABLE.has(feedback.errorCode);
}

/** The relay took part in a normal SMTP exchange: it delivered, or refused a recipient or the content. */
export function relayAnswered(feedback: Pick<SendFeedback, 'failureClass' | 'outcome'>): boolean {
  return feedback.outcome === 'sent' || feedback.failureClass === 'recipient-permanent' || feedback.failureClass === 'message-rejected';
}

const HEALTH_ACTOR: SystemActor = { kind: 'system', name: 'relay-health' };
/** How often housekeeping looks for due probes when none is scheduled sooner. */
const TICK_INTERVAL_MS = 10_000;
const PRUNE_INTERVAL_MS = 10 * 60_000;
/** Held mail is looked at again at least this often (a relay deleted or its flag turned off meanwhile). */
const HOLD_RECHECK_MS = HOUR_MS;

export interface RelayHealthDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  settings: RelayHealthSettings;
  /** `${publicUrl}/settings/emails` is linked from alerts. */
  publicUrl: string;
  /** Domain of the Message-IDs of alerts (the platform sender's). */
  messageIdDomain: string;
  /** The oldest a message may get; held mail waits at most this long. */
  maxAgeSeconds: number;
  /** The probe: the flight check of the saved settings up to sign-in (relay-sign-in.ts). */
  probeRelay: ProbeRelay;
  /** Overall deadline of one probe in milliseconds (RELAIS_RELAY_SEND_TIMEOUT_SECONDS); 120 s by default. */
  probeDeadlineMs?: number;
  /** Counts probes cut off by their deadline. */
  metrics?: Pick<Metrics, 'relayDeadlineExpired'>;
  /** Called once alerts or released mail are committed, to wake the dispatchers. */
  onMessagesDue: () => void;
}

const DEFAULT_PROBE_DEADLINE_MS = 120_000;

export class RelayHealth {
  private nextPruneAt = 0;
  /** Probes under way in this process, by relay id: each runs on its own, none waits for another. */
  private readonly probes = new Map<string, Promise<void>>();

  constructor(private readonly deps: RelayHealthDeps) {}

  /** Learns from one send on the relay route (a trial send when `trial`). */
  async recordSend(relay: Relay, feedback: SendFeedback, trial: boolean): Promise<void> {
    const { db } = this.deps;
    const ref = { relayId: relay.id, version: relay.version };
    if (trial) {
      if (relayAnswered(feedback)) await this.recover(relay, 'trial');
      else if (countsAgainstRelay(feedback)) await this.probeFailed(relay, { errorCode: feedback.errorCode ?? 'unexpected-reply', reply: feedback.reply });
      else await reopenProbe(db, { ...ref, now: this.deps.clock.now() });
      return;
    }
    if (relayAnswered(feedback)) return resetRelayFailures(db, relay.id);
    if (!countsAgainstRelay(feedback) || feedback.errorCode === null) return;
    const count = await countRelayFailure(db, { ...ref, errorCode: feedback.errorCode, reply: feedback.reply, at: feedback.at });
    if (count !== undefined && count >= this.deps.settings.failureThreshold) await this.openIncident(relay, feedback);
  }

  /**
   * A connected mailbox's authorization is gone outside any send (invalid_grant at the idle
   * refresh): nothing will work until the owner reconnects, so an active relay becomes failing
   * at once, as sends reaching the threshold would make it — explanation `oauth-reconnect`, the
   * event, and the owners' alert with its one-click reconnect link.
   */
  async authorizationLost(relay: Relay): Promise<void> {
    const failure = { errorCode: 'oauth-reconnect', reply: null, at: this.deps.clock.now() };
    const counted = await countRelayFailure(this.deps.db, { relayId: relay.id, version: relay.version, ...failure });
    if (counted !== undefined) await this.openIncident(relay, failure);
  }

  /** Whether the failing relay waits for a message to try (failures a connection check cannot see), and that time has come. */
  trialDue(relay: Relay, now: number): boolean {
    return relay.status === 'failing' && !isProbed(relay) && (relay.health.nextProbeAt ?? 0) <= now;
  }

  /** Takes the relay's trial for one message; false when another dispatcher took it. */
  claimTrial(relay: Relay, now: number): Promise<boolean> {
    return claimProbe(this.deps.db, { relayId: relay.id, version: relay.version, now, leaseUntil: now + this.deps.settings.probeLeaseSeconds * 1000 });
  }

  /** Until when a message of a failing relay with policy `hold` waits before being looked at again. */
  holdUntil(relay: Relay, now: number): number {
    const recheck = now + HOLD_RECHECK_MS;
    // A relay that needs a trial message: held mail comes back when the trial is due, so one can be it.
    if (!isProbed(relay) && relay.health.nextProbeAt !== null) return Math.min(recheck, Math.max(relay.health.nextProbeAt, now + 1000));
    return recheck;
  }

  /**
   * Starts probes of the failing relays that are due and returns when it next has something
   * to do, without waiting for them: each probe runs on its own with its own deadline, so a
   * relay that hangs never delays another relay's probe or recovery.
   */
  async tick(): Promise<number> {
    const { db, clock } = this.deps;
    const now = clock.now();
    if (now >= this.nextPruneAt) {
      this.nextPruneAt = now + PRUNE_INTERVAL_MS;
      await pruneSends(db, now - DAY_MS - HOUR_MS);
    }
    const due = await listDueProbes(db, { now, explanations: PROBED_EXPLANATIONS });
    for (const relay of due) this.startProbe(relay, now);
    const next = await nextProbeAt(db, PROBED_EXPLANATIONS);
    return Math.min(next ?? Number.POSITIVE_INFINITY, clock.now() + TICK_INTERVAL_MS);
  }

  /** Resolves once the probes under way have finished (one-shot runs, tests, shutdown). */
  async settled(): Promise<void> {
    while (this.probes.size > 0) await Promise.allSettled([...this.probes.values()]);
  }

  private startProbe(relay: Relay, now: number): void {
    if (this.probes.has(relay.id)) return;
    const run = this.probe(relay, now)
      .catch((error: unknown) => this.deps.logger.error({ relayId: relay.id, err: error }, 'could not record a relay probe'))
      .finally(() => this.probes.delete(relay.id));
    this.probes.set(relay.id, run);
  }

  private async probe(relay: Relay, now: number): Promise<void> {
    const { db, settings } = this.deps;
    if (!(await claimProbe(db, { relayId: relay.id, version: relay.version, now, leaseUntil: now + settings.probeLeaseSeconds * 1000 }))) return;
    const deadlineMs = this.deps.probeDeadlineMs ?? DEFAULT_PROBE_DEADLINE_MS;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(relayTimeoutError(deadlineMs)), deadlineMs);
    let result: Awaited<ReturnType<ProbeRelay>>;
    try {
      result = await untilAborted(deadline.signal, this.deps.probeRelay(relay, { signal: deadline.signal }));
    } catch (error) {
      if (deadline.signal.aborted) {
        this.deps.metrics?.relayDeadlineExpired.inc({ kind: 'probe' });
        await this.probeFailed(relay, { errorCode: 'relay-timeout', reply: null });
        return;
      }
      this.deps.logger.warn({ relayId: relay.id, err: error }, 'relay probe could not run');
      await this.probeFailed(relay, { errorCode: relay.health.lastFailure?.errorCode ?? 'unexpected-reply', reply: null });
      return;
    } finally {
      clearTimeout(timer);
    }
    if (result.passed) await this.recover(relay, 'probe');
    else await this.probeFailed(relay, { errorCode: result.errorCode ?? relay.health.lastFailure?.errorCode ?? 'unexpected-reply', reply: result.reply });
  }

  private async probeFailed(relay: Relay, failure: { errorCode: string; reply: string | null }): Promise<void> {
    const at = this.deps.clock.now();
    const nextProbe = at + this.probeDelayMs(relay.health.probeAttempts + 1);
    await recordProbeFailure(this.deps.db, { relayId: relay.id, version: relay.version, ...failure, at, nextProbeAt: nextProbe });
    this.deps.logger.info({ relayId: relay.id, organizationId: relay.organizationId, errorCode: failure.errorCode, nextProbeAt: nextProbe }, 'relay still failing');
  }

  private probeDelayMs(attempt: number): number {
    const schedule = this.deps.settings.probeScheduleSeconds;
    return (schedule[Math.min(attempt, schedule.length - 1)] ?? 60) * 1000;
  }

  /** active → failing, once: the event, the audit entry and the owners' alert commit together. */
  private async openIncident(relay: Relay, feedback: Pick<SendFeedback, 'errorCode' | 'reply'>): Promise<void> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const errorCode = feedback.errorCode ?? 'unexpected-reply';
    const opened = await db.transaction().execute(async (tx) => {
      if (!(await markRelayFailing(tx, { relayId: relay.id, version: relay.version, now, nextProbeAt: now + this.probeDelayMs(0) }))) return false;
      const data = { relayId: relay.id, version: relay.version, errorCode, reply: feedback.reply, policy: relay.fallbackPolicy };
      await this.announce(tx, relay, { type: 'relay.failing', data, now }, (org) =>
        failingAlert({
          locale: org.locale,
          organizationName: org.name,
          fromEmail: relay.fromEmail,
          host: relay.host,
          policy: relay.fallbackPolicy,
          explanation: explainById(explanationId(errorCode), { preset: relay.preset, locale: org.locale }),
          reply: feedback.reply,
          since: now,
          maxAgeHours: Math.round(this.deps.maxAgeSeconds / 3600),
          settingsUrl: this.settingsUrl(),
          ...(errorCode === 'oauth-reconnect' && relay.auth.type === 'oauth2-connected' ? { reconnectUrl: this.reconnectUrl(relay.auth.provider) } : {}),
        }),
      );
      return true;
    });
    if (!opened) return;
    this.deps.logger.warn({ relayId: relay.id, organizationId: relay.organizationId, errorCode, policy: relay.fallbackPolicy }, 'relay is failing');
    this.deps.onMessagesDue();
  }

  /** failing → active after a passed probe or trial: the event, the owners' email, held mail released. */
  private async recover(relay: Relay, by: 'probe' | 'trial'): Promise<void> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const since = relay.health.failingSince ?? relay.statusChangedAt;
    const recovered = await db.transaction().execute(async (tx) => {
      if (!(await markRelayRecovered(tx, { relayId: relay.id, version: relay.version, now }))) return false;
      const data = { relayId: relay.id, version: relay.version, by, failingSince: new Date(since).toISOString() };
      await this.announce(tx, relay, { type: 'relay.recovered', data, now }, (org) =>
        recoveredAlert({
          locale: org.locale,
          organizationName: org.name,
          fromEmail: relay.fromEmail,
          policy: relay.fallbackPolicy,
          since,
          at: now,
          settingsUrl: this.settingsUrl(),
        }),
      );
      return true;
    });
    if (!recovered) return;
    this.deps.logger.info({ relayId: relay.id, organizationId: relay.organizationId, by }, 'relay works again');
    this.deps.onMessagesDue();
  }

  /**
   * In the transaction that changed the relay's health: the platform event, the audit entry,
   * the owners' alert, and waiting mail made due so that it follows the relay's new state now
   * (the policy while it fails, the relay once it works) rather than at its next retry.
   */
  private async announce(
    tx: Executor,
    relay: Relay,
    change: { type: 'relay.failing' | 'relay.recovered'; data: Record<string, unknown>; now: number },
    compose: (org: Organization) => AlertText,
  ): Promise<void> {
    const { organizationId } = relay;
    const { type, data, now } = change;
    await recordEvent(tx, { organizationId, type, data, at: now });
    await recordAudit(tx, { organizationId, actor: HEALTH_ACTOR, action: type, target: 'smtp-relay', details: data, at: now });
    await this.alertOwners(tx, organizationId, now, compose);
    await releaseWaitingMail(tx, { organizationId, now, which: 'all' });
  }

  /** One email to each owner, in the organization's language, forced through the platform sender. */
  private async alertOwners(tx: Executor, organizationId: string, now: number, compose: (org: Organization) => AlertText): Promise<void> {
    const org = await findOrganization(tx, organizationId);
    if (!org) return;
    const owners = await listOwners(tx, organizationId);
    if (owners.length === 0) this.deps.logger.warn({ organizationId }, 'relay alert not sent: the organization has no owner');
    const { subject, text } = compose(org);
    for (const owner of owners) {
      await queueSystemMessage(
        tx,
        { organizationId, to: [{ name: owner.name, address: owner.email }], subject, text, category: 'relay-alert', forcedRoute: 'platform' },
        { now, messageIdDomain: this.deps.messageIdDomain },
      );
    }
  }

  private settingsUrl(): string {
    return `${this.deps.publicUrl}/settings/emails`;
  }

  /** The settings page starts "Connect with …" again at once for `provider`. */
  private reconnectUrl(provider: 'microsoft' | 'google'): string {
    return `${this.deps.publicUrl}/settings/emails/smtp?reconnect=${provider}`;
  }
}

/** The probe's result, or the signal's reason as soon as it aborts (a probe that ignores the signal is no longer waited for). */
function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function isProbed(relay: Relay): boolean {
  const code = relay.health.lastFailure?.errorCode;
  return code !== undefined && (PROBED_EXPLANATIONS as readonly string[]).includes(code);
}

function explanationId(code: string): ExplanationId {
  return Object.hasOwn(EXPLANATIONS, code) ? (code as ExplanationId) : 'unexpected-reply';
}
