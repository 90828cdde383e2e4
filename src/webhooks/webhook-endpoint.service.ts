// The platform's webhook endpoints: create (the secret shown once), read, change, delete,
// rotate the secret (the previous one signs beside it for 24 h), send a test event, and read
// the attempts. Secrets are sealed with the key ring; URLs pass the address guard when saved
// and again before every delivery.
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { EVENT_TYPES } from '../outbox/event.ts';
import type { SecretBinding } from '../secrets/envelope.ts';
import type { SecretKeys } from '../secrets/key-source.ts';
import type { Db } from '../store/store.ts';
import { listAttempts } from './webhook-delivery.repository.ts';
import {
  deleteEndpoint,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
} from './webhook-endpoint.repository.ts';
import { guardEndpointUrl, parseEndpointUrl, type WebhookHttpOptions } from './webhook-http.ts';
import { newSigningSecret } from './webhook-signature.ts';
import type { DeliveryAttempt, SealedEndpoint, WebhookEndpoint } from './webhook.ts';
import { queueWebhookEvent } from './webhooks.ts';

/** Event types an endpoint may subscribe to (a test event is always sent when asked for). */
export const SUBSCRIBABLE_EVENT_TYPES = [...EVENT_TYPES, 'webhook_endpoint.disabled'] as const;
/** How long the previous secret keeps signing after a rotation. */
export const PREVIOUS_SECRET_MS = 24 * 3600 * 1000;

export interface WebhookEndpointDeps {
  db: Db;
  clock: Clock;
  secrets: SecretKeys;
  guard: Pick<WebhookHttpOptions, 'allowPrivate' | 'resolver'>;
  /** Called once a test event is committed, so the dispatcher sends it now. */
  onQueued: () => void;
}

export interface EndpointInput {
  url: string;
  events?: string[];
  description?: string;
}

export interface EndpointChange {
  url?: string;
  events?: string[] | null;
  description?: string | null;
  enabled?: boolean;
}

function bindingOf(endpointId: string): SecretBinding {
  return { organizationId: '(platform)', relayId: endpointId, purpose: 'webhook-signing-secret' };
}

function notFound(id: string): AppError {
  return new AppError('webhook_endpoint_not_found', `No webhook endpoint ${id}.`);
}

function publicView(endpoint: SealedEndpoint): WebhookEndpoint {
  const { sealedSecret: _s, previousSealedSecret: _p, ...rest } = endpoint;
  return rest;
}

export class WebhookEndpointService {
  constructor(private readonly deps: WebhookEndpointDeps) {}

  async create(input: EndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = await this.checkUrl(input.url);
    const now = this.deps.clock.now();
    const id = newId('whe', now);
    const secret = newSigningSecret();
    await insertEndpoint(this.deps.db, {
      id,
      url,
      description: input.description ?? null,
      events: input.events ? [...new Set(input.events)] : null,
      sealedSecret: this.deps.secrets.seal(secret, bindingOf(id)),
      now,
    });
    return { endpoint: await this.get(id), secret };
  }

  async list(): Promise<WebhookEndpoint[]> {
    return (await listEndpoints(this.deps.db)).map(publicView);
  }

  async get(id: string): Promise<WebhookEndpoint> {
    const endpoint = await findEndpoint(this.deps.db, id);
    if (!endpoint) throw notFound(id);
    return publicView(endpoint);
  }

  async change(id: string, change: EndpointChange): Promise<WebhookEndpoint> {
    const url = change.url === undefined ? undefined : await this.checkUrl(change.url);
    const events = change.events === undefined ? undefined : change.events === null ? null : [...new Set(change.events)];
    const updated = await updateEndpoint(this.deps.db, id, {
      ...(url !== undefined ? { url } : {}),
      ...(events !== undefined ? { events } : {}),
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
      now: this.deps.clock.now(),
    });
    if (!updated) throw notFound(id);
    if (change.enabled) this.deps.onQueued();
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const deleted = await this.deps.db.transaction().execute((tx) => deleteEndpoint(tx, id));
    if (!deleted) throw notFound(id);
  }

  /** A new secret; the previous one keeps signing beside it for 24 hours. */
  async rotateSecret(id: string): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const now = this.deps.clock.now();
    const secret = newSigningSecret();
    const rotated = await this.deps.db.transaction().execute(async (tx) => {
      const current = await findEndpoint(tx, id);
      if (!current) return false;
      return rotateEndpointSecret(tx, id, {
        sealedSecret: this.deps.secrets.seal(secret, bindingOf(id)),
        previousSealedSecret: current.sealedSecret,
        previousUntil: now + PREVIOUS_SECRET_MS,
        now,
      });
    });
    if (!rotated) throw notFound(id);
    return { endpoint: await this.get(id), secret };
  }

  /** Queues a `webhook.test` event for this endpoint only. */
  async sendTest(id: string): Promise<void> {
    const now = this.deps.clock.now();
    const queued = await this.deps.db.transaction().execute(async (tx) => {
      const endpoint = await findEndpoint(tx, id);
      if (!endpoint) throw notFound(id);
      if (!endpoint.enabled) throw new AppError('webhook_endpoint_disabled', 'The endpoint is disabled: enable it (PATCH { "enabled": true }) before sending a test event.');
      return queueWebhookEvent(tx, { type: 'webhook.test', data: { endpointId: id }, at: now }, { only: id });
    });
    if (queued > 0) this.deps.onQueued();
  }

  async attempts(id: string, page: { before?: number; limit: number }): Promise<DeliveryAttempt[]> {
    await this.get(id);
    return listAttempts(this.deps.db, { endpointId: id, limit: page.limit, ...(page.before !== undefined ? { before: page.before } : {}) });
  }

  /** The secrets that sign now: the current one, and the previous one during its 24 hours. For delivery only. */
  signingSecrets(endpoint: SealedEndpoint, now: number): string[] {
    const secrets = [this.deps.secrets.open(endpoint.sealedSecret, bindingOf(endpoint.id))];
    if (endpoint.previousSealedSecret && endpoint.previousSecretUntil !== null && endpoint.previousSecretUntil > now) {
      secrets.push(this.deps.secrets.open(endpoint.previousSealedSecret, bindingOf(endpoint.id)));
    }
    return secrets;
  }

  private async checkUrl(text: string): Promise<string> {
    const url = parseEndpointUrl(text, this.deps.guard.allowPrivate);
    await guardEndpointUrl(url, this.deps.guard);
    return url.toString();
  }
}
