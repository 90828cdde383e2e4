// @relais/client: the typed client of the Relais API (types generated from its OpenAPI document
// by `npm run generate:client`) and, for webhook receivers, the signature check.
export { createRelaisClient, ok, RelaisError } from './client.js';
export type { components, operations, paths, RelaisClient, RelaisClientOptions, RelaisErrorBody } from './client.js';

// --- webhooks: verifyWebhook(secret, headers, body), from ./verify-webhook.ts ---------------
// export { verifyWebhook } from './verify-webhook.js';
