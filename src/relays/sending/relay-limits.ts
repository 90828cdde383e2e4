// The limits a relay is held to, and whether one more send fits in them. No I/O: the counts
// come from relay_sends (relay-sends.repository.ts), read by the relay limiter.
import { findPreset } from '../settings/presets.ts';
import type { RelayLimitOverrides, RelayLimits, RelaySettings } from '../relay.ts';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Connections per relay when the preset does not say (a small pool is kind to unknown servers). */
export const DEFAULT_MAX_CONNECTIONS = 2;

/** The message windows, shortest first; a daily cap that defers mail is reported as such. */
export const MESSAGE_WINDOWS = [
  { limit: 'messagesPerSecond', ms: SECOND_MS, daily: false },
  { limit: 'messagesPerMinute', ms: MINUTE_MS, daily: false },
  { limit: 'messagesPerHour', ms: HOUR_MS, daily: false },
  { limit: 'messagesPerDay', ms: DAY_MS, daily: true },
] as const;

export type MessageWindow = (typeof MESSAGE_WINDOWS)[number];

export const LIMIT_KEYS = ['messagesPerSecond', 'messagesPerMinute', 'messagesPerHour', 'messagesPerDay', 'recipientsPerDay', 'maxConnections'] as const;

/** The preset's figures with the owner's overrides applied. */
export function effectiveLimits(relay: Pick<RelaySettings, 'preset' | 'limits'>): RelayLimits {
  const preset = findPreset(relay.preset)?.limits;
  const limits: RelayLimits = {
    messagesPerSecond: preset?.messagesPerSecond ?? null,
    messagesPerMinute: preset?.messagesPerMinute ?? null,
    messagesPerHour: preset?.messagesPerHour ?? null,
    messagesPerDay: preset?.messagesPerDay ?? null,
    recipientsPerDay: preset?.recipientsPerDay ?? null,
    maxConnections: preset?.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  };
  return { ...limits, ...definedOverrides(relay.limits) };
}

function definedOverrides(overrides: RelayLimitOverrides | null): Partial<RelayLimits> {
  if (!overrides) return {};
  return Object.fromEntries(Object.entries(overrides).filter(([key, value]) => value !== undefined && (LIMIT_KEYS as readonly string[]).includes(key)));
}

/**
 * Sending slots a relay may hold at once in one dispatcher: the relay's connection cap, and
 * never more than half the dispatcher's slots, so one organization's slow or hung relay
 * always leaves room for everyone else's mail.
 */
export function sendingSlots(limits: Pick<RelayLimits, 'maxConnections'>, dispatchConcurrency: number): number {
  return Math.max(1, Math.min(limits.maxConnections, Math.floor(dispatchConcurrency / 2)));
}

/**
 * Slots of one dispatcher that organization relays may hold together: all but a reserve of a
 * quarter (at least one) that only the platform route (platform and fallback mail, relay
 * alerts) can use, so no number of slow relays ever stops the platform's own mail. A
 * dispatcher with a single slot cannot reserve one.
 */
export function relayShare(dispatchConcurrency: number): number {
  return Math.max(1, dispatchConcurrency - Math.max(1, Math.floor(dispatchConcurrency / 4)));
}

/**
 * Slots that slow relays (a send in flight for long, or a last send that took long or ran
 * into the deadline) may hold together: half the relay share, at least one, so healthy
 * relays keep the other half however many relays are slow.
 */
export function slowShare(dispatchConcurrency: number): number {
  return Math.max(1, Math.floor(relayShare(dispatchConcurrency) / 2));
}

/** What a relay has used, counted from every process's sends. */
export interface RelayUsage {
  /** Sends in flight now (slots taken). */
  inFlight: number;
  /** Messages handed over (or in flight) in the last second, minute, hour and day. */
  messages: Record<MessageWindow['limit'], number>;
  /** Recipients accepted (or reserved by sends in flight) in the last day. */
  recipientsPerDay: number;
}

/** A limit that one more send would exceed: `excess` sends (or recipients) must leave the window first. */
export type Binding =
  | { kind: 'messages'; window: MessageWindow; excess: number }
  | { kind: 'recipients'; windowMs: number; excess: number };

export type LimitVerdict = { ok: true } | { ok: false; reason: 'busy' } | { ok: false; reason: 'window'; bindings: Binding[] };

/** Whether a send to `recipients` addresses fits now, given the relay's usage. */
export function checkLimits(limits: RelayLimits, slots: number, usage: RelayUsage, recipients: number): LimitVerdict {
  if (usage.inFlight >= slots) return { ok: false, reason: 'busy' };
  const bindings: Binding[] = [];
  for (const window of MESSAGE_WINDOWS) {
    const cap = limits[window.limit];
    const used = usage.messages[window.limit];
    if (cap !== null && used + 1 > cap) bindings.push({ kind: 'messages', window, excess: used + 1 - cap });
  }
  const recipientCap = limits.recipientsPerDay;
  // A message with more recipients than a whole day allows still goes out on an empty day,
  // rather than never.
  if (recipientCap !== null && usage.recipientsPerDay > 0 && usage.recipientsPerDay + recipients > recipientCap) {
    bindings.push({ kind: 'recipients', windowMs: DAY_MS, excess: usage.recipientsPerDay + recipients - recipientCap });
  }
  return bindings.length === 0 ? { ok: true } : { ok: false, reason: 'window', bindings };
}

/** The longest window a relay's limits need counted (in-flight sends are always within `floorMs`). */
export function countingHorizon(limits: RelayLimits, floorMs: number): number {
  let horizon = floorMs;
  for (const window of MESSAGE_WINDOWS) if (limits[window.limit] !== null) horizon = Math.max(horizon, window.ms);
  if (limits.recipientsPerDay !== null) horizon = Math.max(horizon, DAY_MS);
  return horizon;
}

export function isDaily(binding: Binding): boolean {
  return binding.kind === 'recipients' || binding.window.daily;
}
