// Routing at send time: each message is routed from the organization's flag and relay as they
// are at the moment it is dispatched (one small query), never as they were at enqueue.
import type { Mailbox, ClaimedMessage } from '../outbox/message.ts';
import type { RouteDecision, Router } from '../outbox/router.ts';
import type { SmtpTransport, TransportSettings } from '../smtp/transport.ts';
import type { Executor } from '../store/store.ts';
import { findRoutingView } from './relay.repository.ts';
import type { RelayPools } from './relay-pools.ts';
import type { Relay } from './relay.ts';

export interface RelayRouterDeps {
  db: Executor;
  platformFrom: Mailbox;
  platformTransport: SmtpTransport;
  pools: RelayPools;
  /** Connection settings of a relay (opens its password); called only when a pool is built. */
  transportSettings: (relay: Relay) => TransportSettings;
}

/**
 * A message leaves through the organization's relay when its customSmtp flag is on and its
 * relay is `active`; otherwise through the platform sender. Turning the flag off,
 * deactivating, deleting or changing the relay therefore takes effect from the next message
 * dispatched, in every process.
 */
export class RelayRouter implements Router {
  constructor(private readonly deps: RelayRouterDeps) {}

  async decide(message: ClaimedMessage): Promise<RouteDecision> {
    const { platformFrom, platformTransport, pools } = this.deps;
    const view = await findRoutingView(this.deps.db, message.organizationId);
    const relay = view?.relay;
    if (!view?.customSmtp || relay?.status !== 'active') {
      if (relay) pools.release(relay.id);
      return { route: 'platform', from: platformFrom, envelopeFrom: platformFrom.address, transport: platformTransport };
    }
    const transport = pools.transportFor(relay, () => this.deps.transportSettings(relay));
    const from: Mailbox = relay.fromName ? { name: relay.fromName, address: relay.fromEmail } : { address: relay.fromEmail };
    return {
      route: 'relay',
      from,
      // The relay authenticates an account allowed to send as fromEmail: that is the sender it expects.
      envelopeFrom: relay.fromEmail,
      ...(relay.replyTo ? { replyTo: { address: relay.replyTo } } : {}),
      transport,
    };
  }
}
