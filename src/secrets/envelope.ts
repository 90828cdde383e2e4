// Envelope encryption of relay secrets (SMTP passwords, OAuth2 refresh tokens…).
//
// Each sealed record has its own random data key (DEK). The DEK encrypts the secret with
// AES-256-GCM, bound to the record it belongs to (organization, relay, purpose) so a
// ciphertext copied to another row fails to open. The DEK is itself encrypted ("wrapped")
// with AES-256-GCM under the key-encryption key (KEK) named in the record. Rotating the KEK
// only re-wraps the small DEK; the data ciphertext is never touched.
//
// Text format, one line, safe in a text column:
//   v1.<keyId>.<wrapIv>.<wrappedDek+tag>.<iv>.<ciphertext+tag>
// where every part after the key id is base64url without padding.
import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';
import { AppError, toError } from '../errors.ts';
import { KEY_ID_PATTERN, type KeyRing } from './key-ring.ts';

/** The record a secret belongs to; any difference at open time makes it unreadable. */
export interface SecretBinding {
  readonly organizationId: string;
  readonly relayId: string;
  /** What the secret is for, e.g. 'smtp-password' or 'oauth2-refresh-token'. */
  readonly purpose: string;
}

const VERSION = 'v1';
const CIPHER = 'aes-256-gcm';
const DEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface SealedParts {
  readonly keyId: string;
  readonly wrapIv: Buffer;
  readonly wrappedDek: Buffer;
  /** The data parts stay as text: re-wrapping copies them verbatim. */
  readonly ivText: string;
  readonly ciphertextText: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
}

/** Encrypts `plaintext` under a fresh data key, wrapped by the ring's current key. */
export function sealSecret(plaintext: string, binding: SecretBinding, ring: KeyRing): string {
  assertBinding(binding);
  // Buffer.from would silently turn an unpaired surrogate into U+FFFD: refuse rather than
  // store something other than what was given.
  if (/\p{Cs}/u.test(plaintext)) {
    throw new AppError('validation_failed', 'The secret is not valid text (it contains an unpaired UTF-16 surrogate).');
  }
  const { id: keyId, key: kek } = ring.current();
  const dek = randomFillSync(Buffer.alloc(DEK_BYTES));
  const data = Buffer.from(plaintext, 'utf8');
  try {
    const iv = randomFillSync(Buffer.alloc(IV_BYTES));
    const ciphertext = encrypt(dek, iv, data, dataAad(binding));
    return [VERSION, ...wrapParts(dek, keyId, kek), b64(iv), b64(ciphertext)].join('.');
  } finally {
    dek.fill(0);
    data.fill(0);
  }
}

/** Decrypts a sealed secret for the record it was sealed for. */
export function openSecret(sealed: string, binding: SecretBinding, ring: KeyRing): string {
  assertBinding(binding);
  const parts = parseSealed(sealed);
  const dek = unwrapDek(parts, ring);
  try {
    const data = decrypt(dek, parts.iv, parts.ciphertext, dataAad(binding));
    try {
      return data.toString('utf8');
    } finally {
      data.fill(0);
    }
  } catch (error) {
    throw unreadable('it was sealed for another record or has been altered', parts.keyId, error);
  } finally {
    dek.fill(0);
  }
}

/**
 * Re-wraps the record's data key under the ring's current key, leaving the data ciphertext
 * as it is. Returns the input unchanged when it is already under the current key.
 */
export function rewrapSecret(sealed: string, ring: KeyRing): string {
  const parts = parseSealed(sealed);
  const { id: keyId, key: kek } = ring.current();
  if (parts.keyId === keyId) return sealed;
  const dek = unwrapDek(parts, ring);
  try {
    return [VERSION, ...wrapParts(dek, keyId, kek), parts.ivText, parts.ciphertextText].join('.');
  } finally {
    dek.fill(0);
  }
}

/** Id of the key-encryption key a sealed record is wrapped under (rotation progress, audits). */
export function sealedKeyId(sealed: string): string {
  return parseSealed(sealed).keyId;
}

function wrapParts(dek: Buffer, keyId: string, kek: KeyObject): [string, string, string] {
  const wrapIv = randomFillSync(Buffer.alloc(IV_BYTES));
  const wrapped = encrypt(kek, wrapIv, dek, wrapAad(keyId));
  return [keyId, b64(wrapIv), b64(wrapped)];
}

function unwrapDek(parts: SealedParts, ring: KeyRing): Buffer {
  const { key: kek } = ring.require(parts.keyId);
  try {
    return decrypt(kek, parts.wrapIv, parts.wrappedDek, wrapAad(parts.keyId));
  } catch (error) {
    throw unreadable('its data key does not open under the key it names (altered, or a different key with the same id)', parts.keyId, error);
  }
}

/** AES-256-GCM; returns ciphertext followed by the 16-byte tag. */
function encrypt(key: Buffer | KeyObject, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Inverse of `encrypt`; throws when the tag does not verify. */
function decrypt(key: Buffer | KeyObject, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const head = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([head, decipher.final()]);
  } finally {
    head.fill(0);
  }
}

/** The key id is bound to its wrapped DEK, so relabelling a record with another id fails. */
function wrapAad(keyId: string): Buffer {
  return Buffer.from(`relais-secret/${VERSION}/data-key/${keyId}`, 'utf8');
}

/** A JSON array keeps the fields unambiguous: ('a.b','c') never collides with ('a','b.c'). */
function dataAad(binding: SecretBinding): Buffer {
  return Buffer.from(
    JSON.stringify([`relais-secret/${VERSION}/data`, binding.organizationId, binding.relayId, binding.purpose]),
    'utf8',
  );
}

function parseSealed(sealed: string): SealedParts {
  const fields = sealed.split('.');
  if (fields.length !== 6 || fields[0] !== VERSION) {
    throw unreadable(`it is not a sealed secret in format ${VERSION}`);
  }
  const [, keyId = '', wrapIvText = '', wrappedText = '', ivText = '', ciphertextText = ''] = fields;
  if (!KEY_ID_PATTERN.test(keyId)) throw unreadable('its key id is malformed');
  const wrapIv = unb64(wrapIvText);
  const wrappedDek = unb64(wrappedText);
  const iv = unb64(ivText);
  const ciphertext = unb64(ciphertextText);
  if (
    wrapIv?.length !== IV_BYTES ||
    wrappedDek?.length !== DEK_BYTES + TAG_BYTES ||
    iv?.length !== IV_BYTES ||
    ciphertext === undefined ||
    ciphertext.length < TAG_BYTES
  ) {
    throw unreadable('it is truncated or malformed', keyId);
  }
  return { keyId, wrapIv, wrappedDek, ivText, ciphertextText, iv, ciphertext };
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/**
 * Strict base64url: Node's decoder skips stray characters and ignores the spare bits of the
 * last character, so only a canonical encoding is accepted — every change to the text
 * then changes the bytes, and the authentication tag catches it.
 */
function unb64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function assertBinding(binding: SecretBinding): void {
  for (const field of ['organizationId', 'relayId', 'purpose'] as const) {
    if (typeof binding[field] !== 'string' || binding[field] === '') {
      throw new AppError('secret_binding_invalid', `A secret binding needs a non-empty ${field}.`);
    }
  }
}

/** One error for every way a record can fail to open; never carries plaintext or keys. */
function unreadable(reason: string, keyId?: string, cause?: unknown): AppError {
  return new AppError(
    'secret_unreadable',
    `A stored secret could not be decrypted: ${reason}. Enter the secret again to replace it.`,
    keyId === undefined ? undefined : { keyId },
    cause === undefined ? undefined : { cause: toError(cause) },
  );
}
