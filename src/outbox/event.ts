// Events the platform reads (GET /v1/events) to follow deliveries and relay health.

export const EVENT_TYPES = [
  'message.sent',
  'message.deferred',
  'message.failed',
  'message.recipient_failed',
  'relay.activated',
  'relay.failing',
  'relay.recovered',
  'relay.deactivated',
  'relay.secret_expiring',
] as const;
export type PlatformEventType = (typeof EVENT_TYPES)[number];

export interface PlatformEvent {
  /** Increasing; pass the last one seen as `after` to read on. */
  id: number;
  type: PlatformEventType;
  organizationId: string;
  messageId: string | null;
  data: Record<string, unknown>;
  createdAt: number;
}
