// Random secrets Relais generates for itself (e.g. the embed-token signing secret), stored
// in the database so they survive restarts and every process sharing the database uses
// the same one. The first process to need a secret creates it; the others read it.
import { randomBytes } from 'node:crypto';
import type { Executor } from '../store/store.ts';

export async function serverSecret(db: Executor, name: string, now: number, bytes = 32): Promise<Buffer> {
  await db
    .insertInto('server_secrets')
    .values({ name, value: randomBytes(bytes).toString('base64'), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64');
}
