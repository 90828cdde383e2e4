// Where a running Relais gets its key ring: RELAIS_SECRET_KEY (+ RELAIS_SECRET_KEY_PREVIOUS),
// or, in embedded mode without RELAIS_SECRET_KEY, the key file in the data dir.
//
// The key file can change under a running process: `relais keys rotate-secret` puts a new
// current key in it and re-wraps every record. So in file mode the ring is re-read before
// sealing (new secrets go under the newest key) and when a record names a key the ring
// does not know yet (a record re-wrapped by the CLI a moment ago).
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { openSecret, sealSecret, type SecretBinding } from './envelope.ts';
import { loadOrCreateKeyFile } from './key-file.ts';
import { KeyRing } from './key-ring.ts';

export interface KeySourceConfig {
  readonly secretKey: string | undefined;
  readonly secretKeyPrevious: readonly string[];
  readonly dataDir: string;
  readonly database: { readonly kind: 'sqlite' | 'postgres' };
}

export interface SecretKeys {
  /** 'env' when the keys come from RELAIS_SECRET_KEY, 'file' for the embedded key file. */
  readonly mode: 'env' | 'file';
  /** The current ring (re-read from the key file in file mode). */
  ring(): KeyRing;
  seal(plaintext: string, binding: SecretBinding): string;
  open(sealed: string, binding: SecretBinding): string;
}

/** A fixed ring, e.g. built by a test or by the CLI during a rotation. */
export function fixedSecretKeys(ring: KeyRing, mode: 'env' | 'file' = 'env'): SecretKeys {
  return {
    mode,
    ring: () => ring,
    seal: (plaintext, binding) => sealSecret(plaintext, binding, ring),
    open: (sealed, binding) => openSecret(sealed, binding, ring),
  };
}

/**
 * Keys from the configuration. Nothing is read until a secret is first sealed or opened, so a
 * process that never touches a secret never creates a key file. With PostgreSQL every process
 * must share one key, so RELAIS_SECRET_KEY is required there (checked at once).
 */
export function secretKeysFromConfig(config: KeySourceConfig, logger?: Logger): SecretKeys {
  if (config.secretKey) return fixedSecretKeys(KeyRing.fromBase64(config.secretKey, config.secretKeyPrevious), 'env');
  if (config.database.kind === 'postgres') {
    throw new AppError(
      'secret_key_required',
      'RELAIS_SECRET_KEY is required with PostgreSQL: every Relais process must seal and open relay passwords with the same key ' +
        '(generate one with: openssl rand -base64 32).',
    );
  }
  let cached: KeyRing | undefined;
  const load = (): KeyRing => {
    const file = loadOrCreateKeyFile(config.dataDir);
    for (const warning of file.warnings) logger?.warn(warning);
    if (file.created) logger?.info({ dataDir: config.dataDir }, 'generated the secret key file for relay passwords in the data dir');
    cached = KeyRing.fromBase64(file.current, file.previous);
    return cached;
  };
  const ring = (): KeyRing => cached ?? load();
  return {
    mode: 'file',
    ring,
    seal: (plaintext, binding) => sealSecret(plaintext, binding, load()),
    open(sealed, binding) {
      try {
        return openSecret(sealed, binding, ring());
      } catch (error) {
        if (error instanceof AppError && error.code === 'secret_key_unknown') return openSecret(sealed, binding, load());
        throw error;
      }
    },
  };
}
