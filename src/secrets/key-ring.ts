// The key-encryption keys (KEKs) Relais knows: one current key that wraps every new data
// key, and previous keys kept only so records sealed before a rotation stay readable until
// `relais keys rotate-secret` has re-wrapped them.
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { AppError } from '../errors.ts';

/** Length of a key-encryption key: AES-256. */
export const KEY_BYTES = 32;

/** Fixed label of the key-id derivation; changing it would orphan every sealed record. */
const KEY_ID_LABEL = 'relais secret key id v1';

/** Shape of a key id: 16 lowercase hex characters. */
export const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

/**
 * A short, stable, public name for a key, stored beside each sealed record so the ring can
 * pick the right key. It is a keyed hash of a fixed label: it identifies the key without
 * revealing anything usable about it.
 */
export function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update(KEY_ID_LABEL).digest('hex').slice(0, 16);
}

/** A fresh random key-encryption key, base64 encoded (the form RELAIS_SECRET_KEY takes). */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Decodes a base64 key and checks its length; the message never echoes the value. */
export function decodeSecretKey(encoded: string, label: string): Buffer {
  const trimmed = encoded.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    key.fill(0);
    throw new AppError(
      'secret_key_invalid',
      `${label} must be ${KEY_BYTES} bytes encoded in base64 (generate one with: openssl rand -base64 32)`,
    );
  }
  return key;
}

export interface RingKey {
  readonly id: string;
  /** Opaque key handle: node:crypto accepts it, and inspecting it never prints the bytes. */
  readonly key: KeyObject;
}

export class KeyRing {
  readonly #current: RingKey;
  readonly #byId: ReadonlyMap<string, RingKey>;

  private constructor(current: RingKey, previous: readonly RingKey[]) {
    this.#current = current;
    const byId = new Map<string, RingKey>([[current.id, current]]);
    for (const k of previous) if (!byId.has(k.id)) byId.set(k.id, k);
    this.#byId = byId;
  }

  /**
   * Builds a ring from base64 keys: `current` seals and re-wraps, `previous` only opens.
   * A previous key equal to the current one (or repeated) is ignored.
   */
  static fromBase64(current: string, previous: readonly string[] = []): KeyRing {
    return new KeyRing(
      toRingKey(decodeSecretKey(current, 'The secret key')),
      previous.map((p, i) => toRingKey(decodeSecretKey(p, `Previous secret key #${i + 1}`))),
    );
  }

  /** Id of the key that seals new records. */
  get currentId(): string {
    return this.#current.id;
  }

  /** The key that seals new records and receives re-wrapped ones. */
  current(): RingKey {
    return this.#current;
  }

  /** Ids of every key in the ring, current first. */
  get ids(): readonly string[] {
    return [...this.#byId.keys()];
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** The key named by a sealed record, or `secret_key_unknown` telling the operator what to do. */
  require(id: string): RingKey {
    const found = this.#byId.get(id);
    if (found) return found;
    throw new AppError(
      'secret_key_unknown',
      `A stored secret was sealed under key ${id}, which is not in the key ring ` +
        `(current key ${this.#current.id}, known keys ${this.ids.join(', ')}). ` +
        'If the secret key was changed, put the old key back in the previous-keys setting ' +
        '(the "previous" list of secret-keys.json in embedded mode) and run ' +
        '`relais keys rotate-secret` to re-wrap every secret under the current key.',
      { keyId: id, knownKeyIds: this.ids },
    );
  }

  // Keep key material out of logs and debug output, whatever serialises the ring.
  toJSON(): { currentId: string; ids: readonly string[] } {
    return { currentId: this.currentId, ids: this.ids };
  }

  [inspect.custom](): string {
    return `KeyRing { current: ${this.currentId}, ids: [${this.ids.join(', ')}] }`;
  }
}

function toRingKey(bytes: Buffer): RingKey {
  const ringKey = { id: keyIdOf(bytes), key: createSecretKey(bytes) };
  // createSecretKey copied the bytes; the decoded buffer is no longer needed.
  bytes.fill(0);
  return ringKey;
}
