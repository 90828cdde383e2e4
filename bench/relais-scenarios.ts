// Relais measured from outside, over HTTP, as a platform uses it: end-to-end throughput
// (accept → durable queue → SMTP 250 at the sink), latency at a steady offered rate, memory
// and fairness beside a large backlog, and a remote relay that answers slowly.
import { prefill } from './prefill.ts';
import {
  benchMessage,
  concurrently,
  createDatabase,
  createOrganization,
  now,
  percentile,
  startRelais,
  type RelaisUnderTest,
  type Sink,
  type StoreKind,
} from './support.ts';

export interface ThroughputResult {
  messages: number;
  acceptPerSecond: number;
  endToEndPerSecond: number;
  /** Messages the sink had received when the last 202 came back. */
  deliveredDuringAccept: number;
  seconds: number;
}

export interface LatencyResult {
  ratePerSecond: number;
  messages: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface BacklogResult {
  backlog: number;
  /** Accept → 250 of one message of an organization with nothing else queued, beside the backlog (Infinity: not within WAIT_LIMIT_MS). */
  quietMessageMs: number;
  /** The same for a `priority: "high"` message of the backlogged organization itself. */
  highPriorityMs: number | null;
  peakRssMb: number;
  /** Delivery rate while the backlog drained, over the measured window. */
  drainPerSecond: number;
}

export interface RemoteResult {
  messages: number;
  connections: number;
  perSecond: number;
  perConnectionPerSecond: number;
}

export async function withRelais<T>(
  kind: StoreKind,
  sink: Sink,
  run: (relais: RelaisUnderTest) => Promise<T>,
  options: { cpuProfileDir?: string } = {},
): Promise<T> {
  const database = await createDatabase(kind);
  const relais = await startRelais(database, sink.port, options);
  try {
    await createOrganization(relais, 'bench');
    return await run(relais);
  } finally {
    await relais.stop();
    await database.drop();
  }
}

async function warmUp(relais: RelaisUnderTest, sink: Sink): Promise<void> {
  await sink.reset();
  await concurrently(64, 32, (i) => relais.http.send('bench', benchMessage(`warm-${i}`)));
  await sink.waitFor(64, 60_000);
}

export async function endToEnd(relais: RelaisUnderTest, sink: Sink, count: number, clients: number): Promise<ThroughputResult> {
  await warmUp(relais, sink);
  await sink.reset();
  const t0 = now();
  await concurrently(count, clients, (i) => relais.http.send('bench', benchMessage(`e2e-${i}`)));
  const accepted = now();
  const { count: deliveredDuringAccept } = await sink.stats();
  const done = await sink.waitFor(count, 600_000);
  return {
    messages: count,
    acceptPerSecond: count / ((accepted - t0) / 1000),
    endToEndPerSecond: count / ((done - t0) / 1000),
    deliveredDuringAccept,
    seconds: (done - t0) / 1000,
  };
}

/** Offers `rate` messages per second for `seconds`, each sent on its schedule whatever the answers. */
export async function steadyLatency(relais: RelaisUnderTest, sink: Sink, rate: number, seconds: number): Promise<LatencyResult> {
  await sink.reset();
  const count = Math.round(rate * seconds);
  const sentAt = new Map<string, number>();
  const t0 = now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `lat-${i}`;
    sentAt.set(id, now());
    sends.push(relais.http.send('bench', benchMessage(id)));
  }
  await Promise.all(sends);
  // A Relais that cannot keep up leaves messages undelivered: they count as infinitely late.
  await sink.waitFor(count, WAIT_LIMIT_MS).catch(() => undefined);
  const arrivals = await sink.arrivals();
  const latencies = [...sentAt].map(([id, at]) => (arrivals[id] ?? Number.POSITIVE_INFINITY) - at).sort((a, b) => a - b);
  return {
    ratePerSecond: rate,
    messages: count,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
  };
}

/**
 * One organization has `backlog` messages queued when Relais starts; while they drain, another
 * organization sends one message, then the backlogged one sends one marked `priority: "high"`.
 */
export async function backlog(kind: StoreKind, sink: Sink, count: number, windowSeconds: number): Promise<BacklogResult> {
  const database = await createDatabase(kind);
  await prefill(database, { organizations: ['bulk', 'quiet'], backlogOrganization: 'bulk', count });
  await sink.reset();
  const relais = await startRelais(database, sink.port);
  try {
    let peakRssMb = relais.memory().peakMb;
    const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, relais.memory().peakMb)), 200);
    const t0 = now();
    await new Promise((r) => setTimeout(r, 2000));
    const quietMessageMs = await timeOne(relais, sink, 'quiet', 'quiet-1', {});
    let highPriorityMs: number | null = null;
    try {
      highPriorityMs = await timeOne(relais, sink, 'bulk', 'high-1', { priority: 'high' });
    } catch {
      // Relais without priorities refuses the field.
    }
    const rest = windowSeconds * 1000 - (now() - t0);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    const { count: drained } = await sink.stats();
    const elapsed = (now() - t0) / 1000;
    clearInterval(sampler);
    peakRssMb = Math.max(peakRssMb, relais.memory().peakMb);
    return { backlog: count, quietMessageMs, highPriorityMs, peakRssMb, drainPerSecond: drained / elapsed };
  } finally {
    await relais.stop();
    await database.drop();
  }
}

/** How long one timed message may take before the scenario records it as "more than this" (null in JSON). */
export const WAIT_LIMIT_MS = 60_000;

async function timeOne(relais: RelaisUnderTest, sink: Sink, org: string, id: string, extra: Record<string, unknown>): Promise<number> {
  const t = now();
  await relais.http.send(org, { ...benchMessage(id), ...extra });
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const at = await sink.arrival(id);
    if (at !== undefined) return at - t;
    if (Date.now() > deadline) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The sink answers every MAIL, RCPT and end of data 50 ms late, as a distant relay does. */
export async function remoteRelay(relais: RelaisUnderTest, sink: Sink, count: number, delayMs: number): Promise<RemoteResult> {
  await sink.reset(delayMs);
  const t0 = now();
  await concurrently(count, 32, (i) => relais.http.send('bench', benchMessage(`remote-${i}`)));
  const done = await sink.waitFor(count, 600_000);
  const { connections } = await sink.stats();
  const seconds = (done - t0) / 1000;
  return { messages: count, connections, perSecond: count / seconds, perConnectionPerSecond: count / seconds / Math.max(1, connections) };
}
