// @relais/client: the typed client of the Relais API (types generated from its OpenAPI document
// by `npm run generate:client`) and, for webhook receivers, the signature check.
export { createRelaisClient, ok, RelaisError } from './client.js';
export type { components, operations, paths, RelaisClient, RelaisClientOptions, RelaisErrorBody } from './client.js';

// Webhooks: verifyWebhook(secret, headers, body) for receivers (Standard Webhooks signatures).
export { verifyWebhook, WebhookVerificationError } from './verify-webhook.js';
export type { WebhookEvent, WebhookHeaders } from './verify-webhook.js';
