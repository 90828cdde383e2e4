// `relais keys rotate-secret`: re-wraps the data key of every relay password, and of Relais's
// own secrets (the embed-link signing key), under the current key-encryption key, so the
// previous keys can be forgotten. Only the small wrapped data keys change; the ciphertexts are
// copied as they are, so links signed before the rotation still verify after it.
//
// Embedded mode (no RELAIS_SECRET_KEY, SQLite): a new key is generated into the key file (the
// old ones stay as previous, so a running Relais keeps opening every record), every record is
// re-wrapped, then the previous keys are dropped from the file.
// Environment mode: the operator has already put the new key in RELAIS_SECRET_KEY and the old
// one in RELAIS_SECRET_KEY_PREVIOUS on every process; this re-wraps every record under the new
// key and says when RELAIS_SECRET_KEY_PREVIOUS may be removed.
import { AppError } from '../../errors.ts';
import { rewrapSecret, sealedKeyId } from '../../secrets/envelope.ts';
import { dropPreviousKeys, keyFilePath, rotateKeyFile } from '../../secrets/key-file.ts';
import { KeyRing } from '../../secrets/key-ring.ts';
import type { KeySourceConfig } from '../../secrets/key-source.ts';
import type { Executor } from '../../store/store.ts';
import { rewrapServerSecrets, type ServerSecretsRewrap } from '../../tenants/server-secret.ts';
import { rewrapWebhookSecrets, type WebhookSecretsRewrap } from '../../webhooks/webhooks.ts';
import { listSealedPasswords, replaceSealedPassword } from './relay.repository.ts';

export interface RewrapReport {
  currentKeyId: string;
  total: number;
  rewrapped: number;
  alreadyCurrent: number;
  /** Records that could not be re-wrapped (their key is not in the ring, or they are damaged). */
  failed: { relayId: string; organizationId: string; code: string; keyId?: string }[];
}

/**
 * Re-wraps every relay password not yet under the ring's current key. A record saved
 * meanwhile is left alone (it is newer); a second pass catches records sealed by a process
 * that had not seen the new key yet.
 */
export async function rewrapRelaySecrets(db: Executor, ring: KeyRing): Promise<RewrapReport> {
  const report: RewrapReport = { currentKeyId: ring.currentId, total: 0, rewrapped: 0, alreadyCurrent: 0, failed: [] };
  for (let pass = 0; pass < 2; pass++) {
    const rows = await listSealedPasswords(db);
    const failed: RewrapReport['failed'] = [];
    let pending = 0;
    for (const row of rows) {
      let keyId: string | undefined;
      try {
        keyId = sealedKeyId(row.sealed);
        if (keyId === ring.currentId) continue;
        const next = rewrapSecret(row.sealed, ring);
        if (await replaceSealedPassword(db, row.id, row.sealed, next)) report.rewrapped += 1;
        else pending += 1;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        failed.push({ relayId: row.id, organizationId: row.organizationId, code: error.code, ...(keyId ? { keyId } : {}) });
      }
    }
    report.total = rows.length;
    report.failed = failed;
    if (pending === 0) break;
  }
  const rows = await listSealedPasswords(db);
  report.alreadyCurrent = rows.filter((r) => safeKeyId(r.sealed) === ring.currentId).length - report.rewrapped;
  return report;
}

function safeKeyId(sealed: string): string | undefined {
  try {
    return sealedKeyId(sealed);
  } catch {
    return undefined;
  }
}

export interface RotationOutcome {
  mode: 'env' | 'file';
  report: RewrapReport;
  /** Relais's own secrets (the embed-link signing key). */
  serverSecrets: ServerSecretsRewrap;
  /** The platform's webhook signing secrets. */
  webhookSecrets: WebhookSecretsRewrap;
  /** What the operator should read, line by line. */
  lines: string[];
  /** False when some records could not be re-wrapped (nothing was forgotten then). */
  ok: boolean;
}

export async function rotateRelaySecrets(config: KeySourceConfig, db: Executor): Promise<RotationOutcome> {
  if (config.secretKey) {
    const ring = KeyRing.fromBase64(config.secretKey, config.secretKeyPrevious);
    const report = await rewrapRelaySecrets(db, ring);
    const serverSecrets = await rewrapServerSecrets(db, ring);
    const webhookSecrets = await rewrapWebhookSecrets(db, ring);
    const ok = report.failed.length === 0 && serverSecrets.failed.length === 0 && webhookSecrets.failed.length === 0;
    const lines = [summary(report), serverSummary(serverSecrets), webhookSummary(webhookSecrets)];
    if (!ok) {
      lines.push(...failures(report), ...serverFailures(serverSecrets), ...webhookFailures(webhookSecrets), 'Put the key named above in RELAIS_SECRET_KEY_PREVIOUS and run the command again; keep RELAIS_SECRET_KEY_PREVIOUS until it succeeds.');
    } else if (config.secretKeyPrevious.length > 0) {
      lines.push(
        `Every relay password and server secret is now under RELAIS_SECRET_KEY (key ${ring.currentId}).`,
        'Remove RELAIS_SECRET_KEY_PREVIOUS from the environment of every Relais process and restart them; the old key is no longer needed.',
      );
    } else {
      lines.push(
        'To rotate the key: generate one (openssl rand -base64 32), set it as RELAIS_SECRET_KEY and the current value as RELAIS_SECRET_KEY_PREVIOUS',
        'on every Relais process, restart them, run `relais keys rotate-secret` again, then remove RELAIS_SECRET_KEY_PREVIOUS.',
      );
    }
    return { mode: 'env', report, serverSecrets, webhookSecrets, lines, ok };
  }
  if (config.database.kind === 'postgres') {
    throw new AppError('secret_key_required', 'RELAIS_SECRET_KEY is required with PostgreSQL; rotation works on the keys it names.');
  }
  const rotated = rotateKeyFile(config.dataDir);
  const ring = KeyRing.fromBase64(rotated.current, rotated.previous);
  const report = await rewrapRelaySecrets(db, ring);
  const serverSecrets = await rewrapServerSecrets(db, ring);
  const webhookSecrets = await rewrapWebhookSecrets(db, ring);
  const file = keyFilePath(config.dataDir);
  const lines = [`New secret key ${ring.currentId} written to ${file}.`, summary(report), serverSummary(serverSecrets), webhookSummary(webhookSecrets)];
  if (report.failed.length > 0 || serverSecrets.failed.length > 0 || webhookSecrets.failed.length > 0) {
    lines.push(
      ...failures(report),
      ...serverFailures(serverSecrets),
      ...webhookFailures(webhookSecrets),
      `The previous keys stay in ${file} so nothing becomes unreadable; fix the records above and run the command again.`,
    );
    return { mode: 'file', report, serverSecrets, webhookSecrets, lines, ok: false };
  }
  dropPreviousKeys(config.dataDir);
  lines.push(`Previous keys removed from ${file}.`);
  return { mode: 'file', report, serverSecrets, webhookSecrets, lines, ok: true };
}

function serverSummary(r: ServerSecretsRewrap): string {
  return `Server secrets (embed-link signing key): ${r.total} in all, ${r.rewrapped} re-wrapped, ${r.sealed} sealed from clear text, ${r.failed.length} failed.`;
}

function serverFailures(r: ServerSecretsRewrap): string[] {
  return r.failed.map((f) => `  server secret ${f.name}: ${f.code}${f.keyId ? ` (sealed under key ${f.keyId})` : ''}`);
}

function webhookSummary(r: WebhookSecretsRewrap): string {
  return `Webhook signing secrets: ${r.total} in all, ${r.rewrapped} re-wrapped, ${r.failed.length} failed.`;
}

function webhookFailures(r: WebhookSecretsRewrap): string[] {
  return r.failed.map((f) => `  webhook endpoint ${f.endpointId}: ${f.code}${f.keyId ? ` (sealed under key ${f.keyId})` : ''}`);
}

function summary(r: RewrapReport): string {
  return `Relay passwords: ${r.total} in all, ${r.rewrapped} re-wrapped under key ${r.currentKeyId}, ${r.alreadyCurrent} already under it, ${r.failed.length} failed.`;
}

function failures(r: RewrapReport): string[] {
  return r.failed.map((f) => `  relay ${f.relayId} (organization ${f.organizationId}): ${f.code}${f.keyId ? ` (sealed under key ${f.keyId})` : ''}`);
}
