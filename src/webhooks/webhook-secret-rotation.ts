// `relais keys rotate-secret`: re-wraps the data key of every webhook signing secret (current
// and previous) under the ring's current key, like relay passwords; the secrets themselves
// do not change, so receivers keep verifying.
import { AppError } from '../errors.ts';
import { rewrapSecret, sealedKeyId } from '../secrets/envelope.ts';
import type { KeyRing } from '../secrets/key-ring.ts';
import type { Executor } from '../store/store.ts';
import { listSealedSecrets, replaceSealedSecret } from './webhook-endpoint.repository.ts';

export interface WebhookSecretsRewrap {
  total: number;
  rewrapped: number;
  failed: { endpointId: string; code: string; keyId?: string }[];
}

export async function rewrapWebhookSecrets(db: Executor, ring: KeyRing): Promise<WebhookSecretsRewrap> {
  const report: WebhookSecretsRewrap = { total: 0, rewrapped: 0, failed: [] };
  for (const row of await listSealedSecrets(db)) {
    const sealed = [['sealed_secret', row.sealedSecret] as const, ...(row.previousSealedSecret ? [['previous_sealed_secret', row.previousSealedSecret] as const] : [])];
    for (const [column, value] of sealed) {
      report.total += 1;
      let keyId: string | undefined;
      try {
        keyId = sealedKeyId(value);
        if (keyId === ring.currentId) continue;
        if (await replaceSealedSecret(db, row.id, column, value, rewrapSecret(value, ring))) report.rewrapped += 1;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        report.failed.push({ endpointId: row.id, code: error.code, ...(keyId ? { keyId } : {}) });
      }
    }
  }
  return report;
}
