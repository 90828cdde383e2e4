// Connection pools to organizations' relays, one per relay version.
//
// A pool is keyed by `relayId:version`, so a saved change never reuses a connection opened
// with the old settings: the next message builds a pool for the new version, and the old
// pool is retired — closed as soon as the sends already handed to it have finished.
import type { Logger } from '../../logger.ts';
import type { Envelope, SendResult, SmtpTransport, TransportSettings } from '../../smtp/transport.ts';
import type { Relay } from '../relay.ts';

export type TransportFactory = (settings: TransportSettings) => SmtpTransport;

interface Pool {
  key: string;
  relayId: string;
  transport: SmtpTransport;
  inFlight: number;
  retired: boolean;
  closed?: Promise<void>;
}

export class RelayPools {
  /** Current pool of each relay, by relay id. */
  private readonly current = new Map<string, Pool>();
  /** Retired pools still finishing sends. */
  private readonly draining = new Set<Pool>();

  constructor(
    private readonly factory: TransportFactory,
    private readonly logger?: Logger,
  ) {}

  /**
   * The transport for this relay version, built on first use with `settings()` (which opens
   * the password, so only when a pool is actually built). A pool of an older version of the
   * same relay is retired.
   */
  transportFor(relay: Pick<Relay, 'id' | 'version'>, settings: () => TransportSettings): SmtpTransport {
    const key = `${relay.id}:${relay.version}`;
    const existing = this.current.get(relay.id);
    if (existing?.key === key) return this.handle(existing);
    if (existing) this.retire(existing, 'settings changed');
    const pool: Pool = { key, relayId: relay.id, transport: this.factory(settings()), inFlight: 0, retired: false };
    this.current.set(relay.id, pool);
    return this.handle(pool);
  }

  /** The relay is no longer used (deactivated, deleted, flag off): its pool is retired. */
  release(relayId: string): void {
    const existing = this.current.get(relayId);
    if (existing) this.retire(existing, 'relay no longer in use');
  }

  /** Number of live pools (current and draining), for tests and metrics. */
  get size(): number {
    return this.current.size + this.draining.size;
  }

  /** Pool keys currently in use, e.g. `rly_…:3`. */
  get keys(): string[] {
    return [...this.current.values()].map((p) => p.key);
  }

  async close(): Promise<void> {
    for (const pool of [...this.current.values()]) this.retire(pool, 'shutting down');
    await Promise.all([...this.draining].map((p) => p.closed));
  }

  private handle(pool: Pool): SmtpTransport {
    return {
      send: (envelope: Envelope, raw: Buffer): Promise<SendResult> => this.send(pool, envelope, raw),
      // Pools are closed by the registry, never by one message's user.
      close: async () => undefined,
    };
  }

  private async send(pool: Pool, envelope: Envelope, raw: Buffer): Promise<SendResult> {
    if (pool.closed) {
      // Decided just before the relay changed: the message is retried and routed afresh.
      throw Object.assign(new Error('The relay settings changed while this message was being prepared'), { code: 'ECONNECTION' });
    }
    pool.inFlight += 1;
    try {
      return await pool.transport.send(envelope, raw);
    } finally {
      pool.inFlight -= 1;
      if (pool.retired && pool.inFlight === 0) this.closePool(pool);
    }
  }

  private retire(pool: Pool, reason: string): void {
    if (this.current.get(pool.relayId) === pool) this.current.delete(pool.relayId);
    if (pool.retired) return;
    pool.retired = true;
    this.draining.add(pool);
    this.logger?.debug({ pool: pool.key, reason, inFlight: pool.inFlight }, 'retiring relay connection pool');
    if (pool.inFlight === 0) this.closePool(pool);
  }

  private closePool(pool: Pool): void {
    if (pool.closed) return;
    pool.closed = pool.transport
      .close()
      .catch((error: unknown) => this.logger?.warn({ pool: pool.key, err: error }, 'could not close a relay connection pool'))
      .finally(() => this.draining.delete(pool));
  }
}
