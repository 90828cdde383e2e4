// Signed webhooks, the words used in this folder:
//
//   endpoint   a URL of the platform's that receives events, with its signing secret(s)
//   event      something that happened (a message sent, a relay failing…); its id is the
//              `webhook-id` header, the same at every endpoint and every retry
//   delivery   one event on its way to one endpoint: written in the transaction of the change
//              it describes, retried until a 2xx answer, then `delivered`
//   attempt    one HTTP POST of a delivery, with its answer (or why none came)
import type { PlatformEventType } from '../outbox/event.ts';

/** Events about webhooks themselves, sent to endpoints only (not in GET /v1/events). */
export const WEBHOOK_OWN_EVENT_TYPES = ['webhook.test', 'webhook_endpoint.disabled'] as const;
export type WebhookOwnEventType = (typeof WEBHOOK_OWN_EVENT_TYPES)[number];
export type WebhookEventType = PlatformEventType | WebhookOwnEventType;

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  /** null: every event type. */
  events: string[] | null;
  enabled: boolean;
  /** Why Relais disabled it: `gone` (the endpoint answered 410), `failing` (5 days without success). */
  disabledReason: 'gone' | 'failing' | null;
  disabledAt: number | null;
  failingSince: number | null;
  /** Until when the previous secret still signs beside the current one (after a rotation). */
  previousSecretUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

/** An endpoint with its sealed secrets, for signing; never leaves the webhooks context. */
export interface SealedEndpoint extends WebhookEndpoint {
  sealedSecret: string;
  previousSealedSecret: string | null;
}

export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed' | 'dropped';

export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  payload: string;
  /** Including the one just claimed. */
  attempts: number;
  createdAt: number;
}

export interface DeliveryAttempt {
  id: number;
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  at: number;
  httpStatus: number | null;
  durationMs: number;
  errorCode: string | null;
  response: string | null;
  nextAttemptAt: number | null;
}

/** What one POST gave: an HTTP answer, or no answer and why. */
export type PostResult =
  | { kind: 'answer'; status: number; retryAfter: string | null; body: string; durationMs: number }
  | { kind: 'no-answer'; errorCode: 'timeout' | 'address_not_allowed' | 'connection_failed' | 'host_not_found'; durationMs: number };
