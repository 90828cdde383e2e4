// Random secrets Relais generates for itself (e.g. the embed-token signing secret), stored
// in the database so they survive restarts and every process sharing the database uses
// the same one. The first process to need a secret creates it; the others read it.
//
// They are sealed with the key ring, like relay passwords: whoever reads the database or a
// backup of it cannot forge what they sign. A secret stored in clear by an earlier version is
// sealed the first time it is read; `relais keys rotate-secret` re-wraps them with the rest.
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import { rewrapSecret, sealSecret, sealedKeyId, type SecretBinding } from '../secrets/envelope.ts';
import type { SecretKeys } from '../secrets/key-source.ts';
import type { KeyRing } from '../secrets/key-ring.ts';
import type { Executor } from '../store/store.ts';

/** What a server secret's ciphertext is bound to: it opens only as that secret. */
function bindingOf(name: string): SecretBinding {
  return { organizationId: '(relais)', relayId: '(server-secret)', purpose: `server-secret:${name}` };
}

/** Sealed records have the envelope's dotted form; base64 (the clear form of earlier versions) has no dot. */
function isSealed(value: string): boolean {
  return value.includes('.');
}

export async function serverSecret(db: Executor, secrets: SecretKeys, name: string, now: number, bytes = 32): Promise<Buffer> {
  const binding = bindingOf(name);
  await db
    .insertInto('server_secrets')
    .values({ name, value: secrets.seal(randomBytes(bytes).toString('base64'), binding), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  if (isSealed(row.value)) return Buffer.from(secrets.open(row.value, binding), 'base64');
  // Stored in clear by an earlier version: seal it in place (unless another process just did).
  await db
    .updateTable('server_secrets')
    .set({ value: secrets.seal(row.value, binding) })
    .where('name', '=', name)
    .where('value', '=', row.value)
    .execute();
  return Buffer.from(row.value, 'base64');
}

export interface ServerSecretsRewrap {
  total: number;
  rewrapped: number;
  /** Stored in clear by an earlier version, sealed now. */
  sealed: number;
  failed: { name: string; code: string; keyId?: string }[];
}

/**
 * Puts every server secret under the ring's current key (sealing any still in clear). A row
 * changed meanwhile by a running process is looked at again in a second pass.
 */
export async function rewrapServerSecrets(db: Executor, ring: KeyRing): Promise<ServerSecretsRewrap> {
  const report: ServerSecretsRewrap = { total: 0, rewrapped: 0, sealed: 0, failed: [] };
  for (let pass = 0; pass < 2; pass++) {
    const rows = await db.selectFrom('server_secrets').select(['name', 'value']).orderBy('name').execute();
    report.total = rows.length;
    report.failed = [];
    let raced = 0;
    for (const row of rows) {
      let keyId: string | undefined;
      try {
        const sealed = isSealed(row.value);
        if (sealed) keyId = sealedKeyId(row.value);
        if (sealed && keyId === ring.currentId) continue;
        const next = sealed ? rewrapSecret(row.value, ring) : sealSecret(row.value, bindingOf(row.name), ring);
        const updated = await db
          .updateTable('server_secrets')
          .set({ value: next })
          .where('name', '=', row.name)
          .where('value', '=', row.value)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) raced += 1;
        else if (sealed) report.rewrapped += 1;
        else report.sealed += 1;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        report.failed.push({ name: row.name, code: error.code, ...(keyId ? { keyId } : {}) });
      }
    }
    if (raced === 0) break;
  }
  return report;
}
