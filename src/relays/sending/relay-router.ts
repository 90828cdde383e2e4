// Routing at send time: each message is routed from the organization's flag and relay as they
// are at the moment it is dispatched (one small query), never as they were at enqueue.
import type { Clock } from '../../clock.ts';
import type { Mailbox, ClaimedMessage } from '../../outbox/message.ts';
import type { Postponement, RouteDecision, Router } from '../../outbox/router.ts';
import type { SmtpTransport, TransportSettings } from '../../smtp/transport.ts';
import type { Executor } from '../../store/store.ts';
import { countsAgainstRelay, isRelayLevelFailure, type RelayHealth } from '../health/relay-health.ts';
import type { RelayLimiter } from './relay-limiter.ts';
import { findRoutingView } from '../settings/relay.repository.ts';
import type { RelayPools } from './relay-pools.ts';
import type { Relay } from '../relay.ts';

export interface RelayRouterDeps {
  db: Executor;
  clock: Clock;
  platformFrom: Mailbox;
  platformTransport: SmtpTransport;
  pools: RelayPools;
  /** Connection settings of a relay (opens its password); called only when a pool is built. */
  transportSettings: (relay: Relay) => TransportSettings;
  /** Sending slots and rate windows of each relay. */
  limiter: RelayLimiter;
  /** Learns from every send on the relay route; decides trials of failing relays. */
  health: RelayHealth;
}

/**
 * A message leaves through the organization's relay when its customSmtp flag is on and its
 * relay is `active` — within the relay's limits, else it waits. When the relay is `failing`,
 * the organization's policy applies: `fallback` sends through the platform sender with the
 * organization's address as Reply-To, `hold` keeps the message until the relay works again.
 * With `fallback`, a message the active relay has just refused for a relay-level reason
 * (sign-in, send-as, TLS, unreachable, greeting, deadline) is tried again at once through the
 * platform sender, without waiting for the relay to become `failing`.
 * Otherwise (flag off, no relay, relay off or unverified) the platform sender is used.
 * Turning the flag off, deactivating, deleting or changing the relay therefore takes effect
 * from the next message dispatched, in every process. Relay alerts always take the platform
 * sender.
 */
export class RelayRouter implements Router {
  constructor(private readonly deps: RelayRouterDeps) {}

  async decide(message: ClaimedMessage): Promise<RouteDecision | Postponement> {
    if (message.forcedRoute === 'platform') return this.platform();
    const { pools, health, clock } = this.deps;
    const view = await findRoutingView(this.deps.db, message.organizationId);
    const relay = view?.relay;
    if (!view?.customSmtp || !relay || (relay.status !== 'active' && relay.status !== 'failing')) {
      if (relay) pools.release(relay.id);
      return this.platform();
    }
    if (relay.status === 'active') {
      // The relay refused this very message for a relay-level reason (sign-in, send-as, TLS,
      // unreachable, greeting, deadline): with `fallback` it leaves through the platform
      // sender now, while relay health counts towards `failing` as for any failure.
      if (relay.fallbackPolicy === 'fallback' && message.route === 'relay' && isRelayLevelFailure(message.lastErrorCode)) return this.fallback(relay);
      return this.throughRelay(message, relay, false);
    }

    const now = clock.now();
    if (health.trialDue(relay, now) && (await health.claimTrial(relay, now))) return this.throughRelay(message, relay, true);
    // Connections opened with settings that fail are of no use until the relay recovers.
    pools.release(relay.id);
    if (relay.fallbackPolicy === 'fallback') return this.fallback(relay);
    return { postpone: { until: health.holdUntil(relay, now), code: 'relay_held' } };
  }

  /** Through the platform sender, with the organization's address as Reply-To. */
  private fallback(relay: Relay): RouteDecision {
    const { platformFrom, platformTransport } = this.deps;
    return {
      route: 'fallback',
      from: platformFrom,
      envelopeFrom: platformFrom.address,
      replyTo: { name: relay.fromName, address: relay.replyTo ?? relay.fromEmail },
      transport: platformTransport,
    };
  }

  excludedOrganizations(now: number): string[] {
    return this.deps.limiter.excludedOrganizations(now);
  }

  renew(messageIds: string[], until: number): Promise<void> {
    return this.deps.limiter.renew(messageIds, until);
  }

  private platform(): RouteDecision {
    const { platformFrom, platformTransport } = this.deps;
    return { route: 'platform', from: platformFrom, envelopeFrom: platformFrom.address, transport: platformTransport };
  }

  /** Through the organization's relay, once a sending slot within its limits is taken. */
  private async throughRelay(message: ClaimedMessage, relay: Relay, trial: boolean): Promise<RouteDecision | Postponement> {
    const { pools, limiter, health } = this.deps;
    const pending = message.recipients.filter((r) => r.status === 'pending').length;
    const answer = await limiter.reserve(relay, message.id, pending);
    if (!answer.ok) return { postpone: { until: answer.until, ...(answer.code ? { code: answer.code } : {}) } };
    const transport = pools.transportFor(relay, () => this.deps.transportSettings(relay));
    const from: Mailbox = relay.fromName ? { name: relay.fromName, address: relay.fromEmail } : { address: relay.fromEmail };
    return {
      route: 'relay',
      from,
      // The relay authenticates an account allowed to send as fromEmail: that is the sender it expects.
      envelopeFrom: relay.fromEmail,
      ...(relay.replyTo ? { replyTo: { address: relay.replyTo } } : {}),
      transport,
      // A relay-level refusal is tried again at once when the organization falls back.
      retryAtOnce: (failure) => relay.fallbackPolicy === 'fallback' && countsAgainstRelay({ outcome: 'deferred', ...failure }),
      finish: async (feedback) => {
        try {
          await answer.slot.finish(feedback.acceptedRecipients);
        } finally {
          await health.recordSend(relay, feedback, trial);
        }
      },
    };
  }
}
