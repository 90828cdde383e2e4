// How Relais connects to an organization's relay: the same settings for delivery pools and
// for verification, so a passed verification means delivery connects the same way.
import { resolveSmtpTarget, type Resolver } from '../../smtp/address-guard.ts';
import type { TransportSettings } from '../../smtp/transport.ts';
import { effectiveLimits, sendingSlots } from './relay-limits.ts';
import type { RelaySettings } from '../relay.ts';

export interface RelayConnectionOptions {
  /** RELAIS_SMTP_ALLOWED_PORTS */
  allowedPorts: readonly number[];
  /** RELAIS_ALLOW_PRIVATE_SMTP_HOSTS */
  allowPrivate: boolean;
  resolver?: Resolver;
  /** Extra certificate authorities to trust (tests with a private CA). */
  ca?: string[];
  /** Per-stage timeouts of relay connections (tighter than the platform sender's: a silent relay must free its slot soon). */
  timeouts?: TransportSettings['timeouts'];
  /** The dispatcher's slots: a relay's pool never opens more connections than the relay may hold slots. */
  dispatchConcurrency?: number;
  /** RELAIS_RELAY_SEND_TIMEOUT_SECONDS in milliseconds: the overall deadline of one send or probe. */
  deadlineMs?: number;
}

export function relayTransportSettings(relay: RelaySettings, password: string, options: RelayConnectionOptions): TransportSettings {
  const guard = {
    allowedPorts: options.allowedPorts,
    allowPrivate: options.allowPrivate,
    ...(options.resolver ? { resolver: options.resolver } : {}),
  };
  return {
    host: relay.host,
    port: relay.port,
    security: relay.security,
    auth: { user: relay.username, pass: password },
    allowSelfSigned: relay.allowSelfSigned,
    ...(options.ca ? { ca: options.ca } : {}),
    maxConnections: sendingSlots(effectiveLimits(relay), options.dispatchConcurrency ?? Number.POSITIVE_INFINITY),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
    // Owner-typed host: resolved and checked by the address guard before every connection,
    // so a name that later resolves to an internal address (DNS rebinding) is refused.
    resolveAddress: async () => (await resolveSmtpTarget(relay.host, relay.port, guard)).address,
  };
}
