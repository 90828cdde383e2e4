// All SQL for platform API keys.
import type { Executor } from '../store/store.ts';
import type { ApiKeysTable } from '../store/schema.ts';
import type { ApiKey } from './api-key.ts';

function toApiKey(row: ApiKeysTable): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function insertApiKey(db: Executor, row: ApiKeysTable): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function findApiKeyByHash(db: Executor, keyHash: string): Promise<ApiKey | undefined> {
  const row = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  return row ? toApiKey(row) : undefined;
}

export async function listApiKeys(db: Executor): Promise<ApiKey[]> {
  return (await db.selectFrom('api_keys').selectAll().orderBy('created_at').execute()).map(toApiKey);
}

export async function revokeApiKey(db: Executor, id: string, now: number): Promise<boolean> {
  const r = await db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function touchApiKey(db: Executor, id: string, now: number): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}
