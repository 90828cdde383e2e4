// The webhooks' public surface for the other contexts. The outbox calls `queueWebhookEvent`
// in the transaction of every change it records, so each event's deliveries commit (or roll
// back) with the change itself. Endpoints and deliveries' SQL stay private to this folder.
import { newId } from '../ids.ts';
import type { Executor } from '../store/store.ts';
import { insertDeliveries } from './webhook-delivery.repository.ts';

export { countOpenDeliveries, pruneDeliveries as pruneWebhookDeliveries } from './webhook-delivery.repository.ts';
import { listEndpoints } from './webhook-endpoint.repository.ts';
import { webhookPayload, type EventInput } from './webhook-event.ts';

export { WEBHOOK_OWN_EVENT_TYPES, type WebhookEventType } from './webhook.ts';

/**
 * Queues the event for every enabled endpoint subscribed to its type; `only`/`except` narrow
 * the endpoints (a test event, an announcement to the others). Returns how many were queued.
 */
export async function queueWebhookEvent(tx: Executor, event: EventInput, scope: { only?: string; except?: string } = {}): Promise<number> {
  const endpoints = (await listEndpoints(tx, { enabledOnly: true })).filter(
    (e) =>
      (scope.only === undefined || e.id === scope.only) &&
      e.id !== scope.except &&
      (scope.only !== undefined || e.events === null || e.events.includes(event.type)),
  );
  if (endpoints.length === 0) return 0;
  const eventId = newId('evt', event.at);
  const payload = webhookPayload(event);
  await insertDeliveries(
    tx,
    endpoints.map((e) => ({ id: newId('whd', event.at), endpointId: e.id, eventId, eventType: event.type, payload, now: event.at })),
  );
  return endpoints.length;
}

export { rewrapWebhookSecrets, type WebhookSecretsRewrap } from './webhook-secret-rotation.ts';
