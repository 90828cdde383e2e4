// Paces each relay within its limits: sending slots (connections) and messages per second,
// minute, hour and day, recipients per day. Counts come from the database (every process);
// this process also remembers which organizations it cannot serve right now, so the
// dispatcher leaves their messages in the queue instead of claiming them again and again.
//
// No relay, nor any group of relays, can take every slot of the dispatcher (the rule is in
// relay-limits.ts, `relayShare`): organization relays together hold at most the relay share
// (the platform route keeps the rest); a relay holds one slot until one of its sends has
// finished in this process, and only one while it is slow (a send in flight for longer than
// `slowAfterMs`, or its last send took that long or ran into the deadline); slow relays
// together hold at most half the relay share.
import type { Clock } from '../../clock.ts';
import type { PostponeCode } from '../../outbox/router.ts';
import type { Db, Executor } from '../../store/store.ts';
import { checkLimits, countingHorizon, effectiveLimits, isDaily, relayShare, sendingSlots, slowShare, type Binding } from './relay-limits.ts';
import { finishSend, insertSend, lockRelaySlots, messagesLeaveWindowAt, readUsage, recipientsLeaveWindowAt, renewSends } from './relay-sends.repository.ts';
import type { Relay } from '../relay.ts';

export interface RelayLimiterDeps {
  db: Db;
  clock: Clock;
  /** The dispatcher's slots; one relay takes at most half of them. */
  dispatchConcurrency: number;
  /** A slot whose dispatcher died is free again after this long (the message lease). */
  leaseMs: number;
  /** When another process holds every slot of a relay, how long before trying again. */
  busyRetryMs?: number;
  /** A send in flight this long makes its relay slow (one slot, within the slow share); 10 s by default. */
  slowAfterMs?: number;
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
const DEFAULT_SLOW_AFTER_MS = 10_000;

/** What this process knows of a relay it sends through. */
interface RelayState {
  organizationId: string;
  /** Slots the relay may hold in this process now (shrunk to one while it is unproven or slow). */
  slots: number;
  /** Start time of each send in flight in this process, by slot token. */
  inFlight: Map<number, number>;
  /** How long its last finished send took; absent until one finished in this process. */
  lastSendMs?: number;
}

export class RelayLimiter {
  /** Relays this process has sent through, by relay id. */
  private readonly relays = new Map<string, RelayState>();
  /** Organizations this process does not claim for until the given time. */
  private readonly paused = new Map<string, number>();
  /** Organizations whose relay found the relays' (or the slow relays') share full; left out of claims while it stays full. */
  private readonly waitingForShare = new Map<string, { slow: boolean; until: number }>();
  private nextToken = 0;

  constructor(private readonly deps: RelayLimiterDeps) {}

  /** Organizations whose messages this process cannot send now: their relay's slots are all in use here, or it waits for a window. */
  excludedOrganizations(now: number): string[] {
    const out = new Set<string>();
    for (const { organizationId, slots, inFlight } of this.relays.values()) {
      if (inFlight.size >= slots) out.add(organizationId);
    }
    for (const [organizationId, until] of this.paused) {
      if (until > now) out.add(organizationId);
      else this.paused.delete(organizationId);
    }
    for (const [organizationId, { slow, until }] of this.waitingForShare) {
      if (until > now && !this.shareAdmits(slow, now)) out.add(organizationId);
      else this.waitingForShare.delete(organizationId);
    }
    return [...out];
  }

  /** Takes a slot for a send of `messageId` to `recipients` addresses through `relay`, or says how long to wait. */
  async reserve(relay: Relay, messageId: string, recipients: number): Promise<SlotAnswer> {
    const { db, clock, leaseMs } = this.deps;
    const limits = effectiveLimits(relay);
    const slots = sendingSlots(limits, this.deps.dispatchConcurrency);
    const now = clock.now();
    const state = this.stateOf(relay);
    const slow = this.isSlow(state, now);
    state.slots = slow || state.lastSendMs === undefined ? 1 : slots;
    // This process already uses every slot: the message waits in the queue (the organization
    // is left out of claims until a send of it finishes and wakes the dispatcher).
    if (state.inFlight.size >= state.slots) return { ok: false, until: now };
    // The relays together, or the slow ones, hold their whole share: the message waits, and
    // the organization is left out of claims until a relay send finishes (a second at most).
    if (!this.shareAdmits(slow, now)) {
      this.waitingForShare.set(relay.organizationId, { slow, until: now + (this.deps.busyRetryMs ?? 1000) });
      return { ok: false, until: now };
    }
    const token = (this.nextToken += 1);
    state.inFlight.set(token, now);
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
      state.inFlight.delete(token);
      throw error;
    }
    if ('refusal' in answer) {
      state.inFlight.delete(token);
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
          const at = clock.now();
          try {
            await finishSend(db, slotId, { at, acceptedRecipients });
          } finally {
            state.lastSendMs = at - now;
            state.inFlight.delete(token);
          }
        },
      },
    };
  }

  /** Keeps the slots of sends still in flight, with the messages' leases. */
  async renew(messageIds: string[], until: number): Promise<void> {
    if ([...this.relays.values()].every((r) => r.inFlight.size === 0)) return;
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

  private stateOf(relay: Relay): RelayState {
    const known = this.relays.get(relay.id);
    if (known) {
      known.organizationId = relay.organizationId;
      return known;
    }
    const state: RelayState = { organizationId: relay.organizationId, slots: 1, inFlight: new Map() };
    this.relays.set(relay.id, state);
    return state;
  }

  /** A send of the relay has been in flight for `slowAfterMs`, or its last one took that long (or hit the deadline). */
  private isSlow(state: RelayState, now: number): boolean {
    const slowAfter = this.deps.slowAfterMs ?? DEFAULT_SLOW_AFTER_MS;
    if ((state.lastSendMs ?? 0) >= slowAfter) return true;
    for (const startedAt of state.inFlight.values()) if (now - startedAt >= slowAfter) return true;
    return false;
  }

  /** Whether one more relay send (of a slow relay when `slow`) fits in the relays' share of the dispatcher's slots. */
  private shareAdmits(slow: boolean, now: number): boolean {
    const concurrency = this.deps.dispatchConcurrency;
    let total = 0;
    let slowTotal = 0;
    for (const state of this.relays.values()) {
      total += state.inFlight.size;
      if (slow && this.isSlow(state, now)) slowTotal += state.inFlight.size;
    }
    return total < relayShare(concurrency) && (!slow || slowTotal < slowShare(concurrency));
  }
}
