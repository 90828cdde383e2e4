// @relais/client: the typed client of the Relais API (types generated from its OpenAPI document).
export { createRelaisClient, ok, RelaisError } from './client.js';
export type { components, operations, paths, RelaisClient, RelaisClientOptions, RelaisErrorBody } from './client.js';

// Webhook receivers: verifyWebhook(secret, headers, body) lands here (./verify-webhook.ts).
