// Paces each relay within its limits: sending slots (connections) and messages per second,
// minute, hour and day, recipients per day. Counts come from the database (every process);
// this process also remembers which organizations it cannot serve right now, so the
// dispatcher leaves their messages in the queue instead of claiming them again and again.
import type { Clock } from '../clock.ts';
import type { PostponeCode } from '../outbox/router.ts';
import type { Db, Executor } from '../store/store.ts';
import { checkLimits, countingHorizon, effectiveLimits, isDaily, sendingSlots, type Binding } from './relay-limits.ts';
import { finishSend, insertSend, lockRelaySlots, messagesLeaveWindowAt, readUsage, recipientsLeaveWindowAt, renewSends } from './relay-sends.repository.ts';
import type { Relay } from './relay.ts';

export interface RelayLimiterDeps {
  db: Db;
  clock: Clock;
  /** The dispatcher's slots; one relay takes at most half of them. */
  dispatchConcurrency: number;
  /** A slot whose dispatcher died is free again after this long (the message lease). */
  leaseMs: number;
  /** When another process holds every slot of a relay, how long before trying again. */
  busyRetryMs?: number;
}

/** A slot held for one send; `finish` must be called once the send is over, whatever happened. */
export interface SendSlot {
  finish(acceptedRecipients: number): Promise<void>;
}

/** Why a send must wait, and until when. */
export interface SlotRefusal {
  until: number;
  /** relay_rate_limited or relay_daily_quota; absent when only a slot was missing (a momentary wait). */
  code?: Exclude<PostponeCode, 'relay_held'>;
}

export type SlotAnswer = { ok: true; slot: SendSlot } | ({ ok: false } & SlotRefusal);

/** A relay's usage as the settings page shows it. */
export interface RelayUsageView {
  inFlight: number;
  sendingSlots: number;
  messagesLastMinute: number;
  messagesLastHour: number;
  messagesLastDay: number;
  recipientsLastDay: number;
  /** ok, or why the next message would wait: rate_limited (second, minute, hour) or daily_quota. */
  state: 'ok' | 'busy' | 'rate_limited' | 'daily_quota';
  /** When the next message may leave, when it has to wait. */
  resumesAt: number | null;
}

/** In-process pauses never last longer than this, so a relay change is noticed within it. */
const MAX_LOCAL_PAUSE_MS = 60_000;
/** In-flight sends never last longer than this; usage counts at least this far back. */
const IN_FLIGHT_HORIZON_MS = 10 * 60_000;

export class RelayLimiter {
  /** Sends in flight in this process, by relay id. */
  private readonly inFlight = new Map<string, number>();
  /** Organization and slot count of each relay this process has sent through. */
  private readonly relays = new Map<string, { organizationId: string; slots: number }>();
  /** Organizations this process does not claim for until the given time. */
  private readonly paused = new Map<string, number>();

  constructor(private readonly deps: RelayLimiterDeps) {}

  /** Organizations whose messages this process cannot send now: their relay's slots are all in use here, or it waits for a window. */
  excludedOrganizations(now: number): string[] {
    const out = new Set<string>();
    for (const [relayId, { organizationId, slots }] of this.relays) {
      if ((this.inFlight.get(relayId) ?? 0) >= slots) out.add(organizationId);
    }
    for (const [organizationId, until] of this.paused) {
      if (until > now) out.add(organizationId);
      else this.paused.delete(organizationId);
    }
    return [...out];
  }

  /** Takes a slot for a send of `messageId` to `recipients` addresses through `relay`, or says how long to wait. */
  async reserve(relay: Relay, messageId: string, recipients: number): Promise<SlotAnswer> {
    const { db, clock, leaseMs } = this.deps;
    const limits = effectiveLimits(relay);
    const slots = sendingSlots(limits, this.deps.dispatchConcurrency);
    this.relays.set(relay.id, { organizationId: relay.organizationId, slots });
    const now = clock.now();
    const local = this.inFlight.get(relay.id) ?? 0;
    // This process already uses every slot: the message waits in the queue (the organization
    // is left out of claims until a send of it finishes and wakes the dispatcher).
    if (local >= slots) return { ok: false, until: now };
    this.inFlight.set(relay.id, local + 1);
    let answer: { slotId: number } | { refusal: SlotRefusal };
    try {
      answer = await db.transaction().execute(async (tx) => {
        await lockRelaySlots(tx, relay.id);
        const usage = await readUsage(tx, relay.id, now, countingHorizon(limits, IN_FLIGHT_HORIZON_MS));
        const verdict = checkLimits(limits, slots, usage, recipients);
        if (verdict.ok) return { slotId: await insertSend(tx, { relayId: relay.id, messageId, now, expiresAt: now + leaseMs, recipients }) };
        if (verdict.reason === 'busy') return { refusal: { until: now + (this.deps.busyRetryMs ?? 1000) } };
        return { refusal: await this.refusalFor(tx, relay.id, now, verdict.bindings) };
      });
    } catch (error) {
      this.release(relay.id);
      throw error;
    }
    if ('refusal' in answer) {
      this.release(relay.id);
      this.paused.set(relay.organizationId, Math.min(answer.refusal.until, now + MAX_LOCAL_PAUSE_MS));
      return { ok: false, ...answer.refusal };
    }
    const { slotId } = answer;
    let finished = false;
    return {
      ok: true,
      slot: {
        finish: async (acceptedRecipients: number) => {
          if (finished) return;
          finished = true;
          // The database first: a send that finds the local slot free must not find it still
          // taken in the database.
          try {
            await finishSend(db, slotId, { at: clock.now(), acceptedRecipients });
          } finally {
            this.release(relay.id);
          }
        },
      },
    };
  }

  /** Keeps the slots of sends still in flight, with the messages' leases. */
  async renew(messageIds: string[], until: number): Promise<void> {
    if ([...this.inFlight.values()].every((n) => n === 0)) return;
    await renewSends(this.deps.db, messageIds, until);
  }

  /** What the relay has used and whether the next message would wait. */
  async usage(relay: Relay): Promise<RelayUsageView> {
    const now = this.deps.clock.now();
    const limits = effectiveLimits(relay);
    const slots = sendingSlots(limits, this.deps.dispatchConcurrency);
    const usage = await readUsage(this.deps.db, relay.id, now, countingHorizon(limits, IN_FLIGHT_HORIZON_MS));
    const verdict = checkLimits(limits, slots, usage, 1);
    let state: RelayUsageView['state'] = 'ok';
    let resumesAt: number | null = null;
    if (!verdict.ok && verdict.reason === 'busy') state = 'busy';
    if (!verdict.ok && verdict.reason === 'window') {
      const refusal = await this.refusalFor(this.deps.db, relay.id, now, verdict.bindings);
      state = refusal.code === 'relay_daily_quota' ? 'daily_quota' : 'rate_limited';
      resumesAt = refusal.until;
    }
    return {
      inFlight: usage.inFlight,
      sendingSlots: slots,
      messagesLastMinute: usage.messages.messagesPerMinute,
      messagesLastHour: usage.messages.messagesPerHour,
      messagesLastDay: usage.messages.messagesPerDay,
      recipientsLastDay: usage.recipientsPerDay,
      state,
      resumesAt,
    };
  }

  /** The time every exceeded window has room again; a daily cap is named when it is what holds the send back longest. */
  private async refusalFor(db: Executor, relayId: string, now: number, bindings: Binding[]): Promise<SlotRefusal> {
    let until = now;
    let daily = false;
    for (const binding of bindings) {
      const at =
        binding.kind === 'messages'
          ? await messagesLeaveWindowAt(db, { relayId, now, windowMs: binding.window.ms, excess: binding.excess })
          : await recipientsLeaveWindowAt(db, { relayId, now, windowMs: binding.windowMs, excess: binding.excess });
      if (at > until || (at === until && isDaily(binding))) {
        until = at;
        daily = isDaily(binding);
      }
    }
    return { until, code: daily ? 'relay_daily_quota' : 'relay_rate_limited' };
  }

  private release(relayId: string): void {
    const n = (this.inFlight.get(relayId) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(relayId);
    else this.inFlight.set(relayId, n);
  }
}
