// How long Relais keeps personal data: the operator's limits (RELAIS_RETENTION_*), which an
// organization may shorten and never lengthen.
//
// content  a message's bodies, attachments, custom headers and recipients' names, counted
//          from the moment the message became final (sent or failed);
// log      its place in the delivery log: status, route, attempts, replies, recipients'
//          addresses — counted from the same moment;
// events   the platform's event feed (GET /v1/events), from when each event was written;
// audit    the organization's audit log, from when each entry was written.

export const RETENTION_KINDS = ['content', 'log', 'events', 'audit'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** Days each kind of data is kept. */
export interface RetentionLimits {
  contentDays: number;
  logDays: number;
  eventsDays: number;
  auditDays: number;
}

/** An organization's own, shorter limits; a missing one follows the operator's. */
export type RetentionOverrides = { [K in keyof RetentionLimits]?: number | null };

export const LIMIT_OF: Record<RetentionKind, keyof RetentionLimits> = {
  content: 'contentDays',
  log: 'logDays',
  events: 'eventsDays',
  audit: 'auditDays',
};

/**
 * The limits that apply to an organization: its own where shorter than the operator's. Content
 * never outlives the delivery log it belongs to.
 */
export function effectiveRetention(operator: RetentionLimits, own: RetentionOverrides = {}): RetentionLimits {
  const pick = (k: keyof RetentionLimits) => Math.min(operator[k], own[k] ?? operator[k]);
  const logDays = pick('logDays');
  return { contentDays: Math.min(pick('contentDays'), logDays), logDays, eventsDays: pick('eventsDays'), auditDays: pick('auditDays') };
}

/** The limits an organization asked for that are longer than the operator's (refused). */
export function longerThanOperator(operator: RetentionLimits, own: RetentionOverrides): (keyof RetentionLimits)[] {
  return (Object.keys(LIMIT_OF) as RetentionKind[])
    .map((kind) => LIMIT_OF[kind])
    .filter((k) => own[k] !== undefined && own[k] !== null && own[k] > operator[k]);
}

export const DAY_MS = 24 * 3600_000;
