// All SQL for embed-token single use.
import type { Executor } from '../store/store.ts';

/** Records the token id as used; false when it already was (a replay). */
export async function markEmbedTokenUsed(db: Executor, jti: string, expiresAt: number): Promise<boolean> {
  const inserted = await db
    .insertInto('embed_token_uses')
    .values({ jti, expires_at: expiresAt })
    .onConflict((oc) => oc.column('jti').doNothing())
    .returning('jti')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Once a token has expired it cannot be replayed anyway, so its record can go. */
export async function deleteExpiredEmbedTokenUses(db: Executor, now: number): Promise<void> {
  await db.deleteFrom('embed_token_uses').where('expires_at', '<', now).execute();
}
