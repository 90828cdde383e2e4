// HTTP shapes of a relay's limits, health and usage (part of GET/PUT …/smtp-relay): what the
// settings page's status card shows — why a failing relay fails, explained for its provider,
// and whether a limit or the daily quota holds mail back.
import { z } from 'zod';
import type { Locale } from '../../glossary.ts';
import { EXPLANATIONS, explainById, type ExplanationId } from '../../smtp/explanations.ts';
import { CHECK_EXPLANATIONS, explainStep, type StepExplanationId } from '../../smtp/flight-check.ts';
import { effectiveLimits } from '../sending/relay-limits.ts';
import type { RelayUsageView } from '../sending/relay-limiter.ts';
import type { Relay } from '../relay.ts';

const count = z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000_000, 'must be at most 10,000,000');

/** PUT: overrides of the preset's limits. A number replaces the preset's figure, null removes the cap, an absent key keeps the preset's. */
export const relayLimitsBody = z.strictObject({
  messagesPerSecond: count.nullable().optional(),
  messagesPerMinute: count.nullable().optional(),
  messagesPerHour: count.nullable().optional(),
  messagesPerDay: count.nullable().optional(),
  recipientsPerDay: count.nullable().optional(),
  maxConnections: z.number().int('must be a whole number').min(1, 'must be at least 1').max(20, 'must be at most 20').optional(),
});

export const effectiveLimitsView = z.object({
  messagesPerSecond: z.number().nullable(),
  messagesPerMinute: z.number().nullable(),
  messagesPerHour: z.number().nullable(),
  messagesPerDay: z.number().nullable(),
  recipientsPerDay: z.number().nullable(),
  maxConnections: z.number(),
});

export const explanationView = z.object({
  id: z.string(),
  title: z.string(),
  cause: z.string(),
  fix: z.array(z.string()),
  reply: z.string().optional(),
});

/** The latest relay-level failure and the current incident; null when the relay has none. */
export const relayFailureView = z
  .object({
    /** Start of the incident (status failing); null while failures are only being counted. */
    since: z.string().nullable(),
    errorCode: z.string(),
    reply: z.string().nullable(),
    at: z.string(),
    consecutiveFailures: z.number(),
    nextProbeAt: z.string().nullable(),
    explanation: explanationView,
  })
  .nullable();

export const relayUsageView = z.object({
  inFlight: z.number(),
  sendingSlots: z.number(),
  messagesLastMinute: z.number(),
  messagesLastHour: z.number(),
  messagesLastDay: z.number(),
  recipientsLastDay: z.number(),
  /** ok, or why the next message would wait: busy (every slot in use), rate_limited, daily_quota. */
  state: z.enum(['ok', 'busy', 'rate_limited', 'daily_quota']),
  resumesAt: z.string().nullable(),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function presentFailure(relay: Relay, locale: Locale): z.infer<typeof relayFailureView> {
  const { health } = relay;
  const failure = health.lastFailure;
  const current = relay.status === 'failing' || health.consecutiveFailures > 0;
  if (!failure || !current) return null;
  const id: ExplanationId = Object.hasOwn(EXPLANATIONS, failure.errorCode) ? (failure.errorCode as ExplanationId) : 'unexpected-reply';
  const explained = explainById(id, { preset: relay.preset, locale });
  return {
    since: relay.status === 'failing' ? iso(health.failingSince ?? relay.statusChangedAt) : null,
    errorCode: failure.errorCode,
    reply: failure.reply,
    at: new Date(failure.at).toISOString(),
    consecutiveFailures: health.consecutiveFailures,
    nextProbeAt: relay.status === 'failing' ? iso(health.nextProbeAt) : null,
    explanation: { ...explained, ...(failure.reply ? { reply: failure.reply } : {}) },
  };
}

/** The relay's last check (flight check, verification); a failure comes explained for its provider. */
export const lastCheckView = z
  .object({
    version: z.number(),
    at: z.string(),
    passed: z.boolean(),
    /** The explanation id of the failure (auth-failed, certificate-untrusted…), null when passed. */
    errorCode: z.string().nullable(),
    reply: z.string().nullable(),
    explanation: explanationView.nullable(),
  })
  .nullable();

export function presentLastCheck(relay: Relay, locale: Locale): z.infer<typeof lastCheckView> {
  const check = relay.lastCheck;
  if (!check) return null;
  const code = check.errorCode;
  let explanation: z.infer<typeof explanationView> | null = null;
  if (!check.passed && code !== null) {
    const id: StepExplanationId = Object.hasOwn(EXPLANATIONS, code) || Object.hasOwn(CHECK_EXPLANATIONS, code) ? (code as StepExplanationId) : 'unexpected-reply';
    explanation = { ...explainStep(id, { preset: relay.preset, locale }), ...(check.reply ? { reply: check.reply } : {}) };
  }
  return { ...check, at: new Date(check.at).toISOString(), explanation };
}

export function presentUsage(usage: RelayUsageView): z.infer<typeof relayUsageView> {
  return { ...usage, resumesAt: iso(usage.resumesAt) };
}

export function presentEffectiveLimits(relay: Relay): z.infer<typeof effectiveLimitsView> {
  return effectiveLimits(relay);
}
