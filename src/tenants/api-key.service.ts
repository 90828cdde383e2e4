// Platform API keys: created once (shown once), stored hashed, revocable.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Executor } from '../store/store.ts';
import { API_KEY_PREFIX, type ApiKey } from './api-key.ts';
import { findApiKeyByHash, insertApiKey, listApiKeys, revokeApiKey, touchApiKey } from './api-key.repository.ts';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class ApiKeyService {
  /** Avoids a write per request: last-use times are refreshed at most once a minute per key. */
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly db: Executor,
    private readonly clock: Clock,
  ) {}

  /** Creates a key and returns it in full, the only time it is ever visible. */
  async create(name: string, value?: string): Promise<{ apiKey: ApiKey; key: string }> {
    const key = value ?? `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const row = {
      id: newId('key', now),
      name,
      key_hash: hashApiKey(key),
      prefix: key.slice(0, API_KEY_PREFIX.length + 6),
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    };
    await insertApiKey(this.db, row);
    return { apiKey: { id: row.id, name, prefix: row.prefix, createdAt: now, lastUsedAt: null, revokedAt: null }, key };
  }

  /** Makes sure a key with this exact value exists (RELAIS_BOOTSTRAP_API_KEY); returns whether it was created. */
  async ensure(name: string, value: string): Promise<boolean> {
    const existing = await findApiKeyByHash(this.db, hashApiKey(value));
    if (existing) {
      if (existing.revokedAt !== null) {
        throw new AppError('bootstrap_key_revoked', 'RELAIS_BOOTSTRAP_API_KEY names a key that was revoked; set a new value.');
      }
      return false;
    }
    await this.create(name, value);
    return true;
  }

  /** The key behind a presented secret, or undefined when it is unknown or revoked. */
  async verify(presented: string): Promise<ApiKey | undefined> {
    const found = await findApiKeyByHash(this.db, hashApiKey(presented));
    if (!found || found.revokedAt !== null) return undefined;
    const now = this.clock.now();
    if ((this.lastTouched.get(found.id) ?? 0) < now - 60_000) {
      this.lastTouched.set(found.id, now);
      await touchApiKey(this.db, found.id, now);
    }
    return found;
  }

  /** Whether a presented secret is a key that was revoked (to answer `api_key_revoked` rather than a bare 401). */
  async isRevoked(presented: string): Promise<boolean> {
    const found = await findApiKeyByHash(this.db, hashApiKey(presented));
    return found !== undefined && found.revokedAt !== null;
  }

  list(): Promise<ApiKey[]> {
    return listApiKeys(this.db);
  }

  async revoke(id: string): Promise<void> {
    if (!(await revokeApiKey(this.db, id, this.clock.now()))) {
      throw new AppError('api_key_not_found', `No active API key has the id "${id}".`);
    }
  }
}
