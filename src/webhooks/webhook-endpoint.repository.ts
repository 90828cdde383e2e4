// All SQL about webhook endpoints. Rows never leave this file: callers get WebhookEndpoint.
import type { Selectable } from 'kysely';
import type { WebhookEndpointsTable } from '../store/schema.ts';
import type { Executor } from '../store/store.ts';
import type { SealedEndpoint } from './webhook.ts';

type Row = Selectable<WebhookEndpointsTable>;

function toEndpoint(row: Row): SealedEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.event_types === null ? null : (JSON.parse(row.event_types) as string[]),
    enabled: Number(row.enabled) === 1,
    disabledReason: row.disabled_reason as SealedEndpoint['disabledReason'],
    disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
    failingSince: row.failing_since === null ? null : Number(row.failing_since),
    previousSecretUntil: row.previous_secret_until === null ? null : Number(row.previous_secret_until),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    sealedSecret: row.sealed_secret,
    previousSealedSecret: row.previous_sealed_secret,
  };
}

export async function insertEndpoint(
  db: Executor,
  e: { id: string; url: string; description: string | null; events: string[] | null; sealedSecret: string; now: number },
): Promise<void> {
  await db
    .insertInto('webhook_endpoints')
    .values({
      id: e.id,
      url: e.url,
      description: e.description,
      event_types: e.events === null ? null : JSON.stringify(e.events),
      enabled: 1,
      disabled_reason: null,
      disabled_at: null,
      sealed_secret: e.sealedSecret,
      previous_sealed_secret: null,
      previous_secret_until: null,
      failing_since: null,
      created_at: e.now,
      updated_at: e.now,
    })
    .execute();
}

export async function findEndpoint(db: Executor, id: string): Promise<SealedEndpoint | undefined> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEndpoint(row) : undefined;
}

export async function listEndpoints(db: Executor, filter: { enabledOnly?: boolean } = {}): Promise<SealedEndpoint[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .$if(filter.enabledOnly === true, (q) => q.where('enabled', '=', 1))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toEndpoint);
}

export async function updateEndpoint(
  db: Executor,
  id: string,
  change: { url?: string; description?: string | null; events?: string[] | null; enabled?: boolean; now: number },
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({
      ...(change.url !== undefined ? { url: change.url } : {}),
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(change.events !== undefined ? { event_types: change.events === null ? null : JSON.stringify(change.events) } : {}),
      // Enabling starts afresh; disabling by the platform carries no reason.
      ...(change.enabled !== undefined
        ? { enabled: change.enabled ? 1 : 0, disabled_reason: null, disabled_at: change.enabled ? null : change.now, failing_since: null }
        : {}),
      updated_at: change.now,
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function rotateEndpointSecret(
  db: Executor,
  id: string,
  args: { sealedSecret: string; previousSealedSecret: string; previousUntil: number; now: number },
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({ sealed_secret: args.sealedSecret, previous_sealed_secret: args.previousSealedSecret, previous_secret_until: args.previousUntil, updated_at: args.now })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Relais disables an endpoint; false when it already was. */
export async function disableEndpoint(db: Executor, id: string, args: { reason: 'gone' | 'failing'; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({ enabled: 0, disabled_reason: args.reason, disabled_at: args.now, updated_at: args.now })
    .where('id', '=', id)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A success clears `failing_since`; a failure sets it when not yet set. */
export async function recordEndpointHealth(db: Executor, id: string, args: { succeeded: boolean; now: number }): Promise<void> {
  if (args.succeeded) {
    await db.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', id).where('failing_since', 'is not', null).execute();
  } else {
    await db.updateTable('webhook_endpoints').set({ failing_since: args.now }).where('id', '=', id).where('failing_since', 'is', null).execute();
  }
}

export async function deleteEndpoint(db: Executor, id: string): Promise<boolean> {
  await db.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
  await db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Every sealed signing secret (current and previous), for key rotation. */
export async function listSealedSecrets(db: Executor): Promise<{ id: string; sealedSecret: string; previousSealedSecret: string | null }[]> {
  const rows = await db.selectFrom('webhook_endpoints').select(['id', 'sealed_secret', 'previous_sealed_secret']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, sealedSecret: r.sealed_secret, previousSealedSecret: r.previous_sealed_secret }));
}

/** Replaces a sealed secret if it is still the one read (a rotation meanwhile wins). */
export async function replaceSealedSecret(db: Executor, id: string, column: 'sealed_secret' | 'previous_sealed_secret', from: string, to: string): Promise<boolean> {
  const result = await db.updateTable('webhook_endpoints').set({ [column]: to }).where('id', '=', id).where(column, '=', from).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
