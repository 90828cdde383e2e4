import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppError } from '../errors.ts';
import { openSecret, rewrapSecret, sealSecret, sealedKeyId, type SecretBinding } from './envelope.ts';
import { KeyRing, generateSecretKey } from './key-ring.ts';

const K1 = generateSecretKey();
const K2 = generateSecretKey();
const ringK1 = KeyRing.fromBase64(K1);
const ringK2 = KeyRing.fromBase64(K2);
const ringK2WithK1 = KeyRing.fromBase64(K2, [K1]);

const binding: SecretBinding = { organizationId: 'org_acme', relayId: 'rly_1', purpose: 'smtp-password' };
const password = 'correct horse battery staple — été ✉';

/** Runs `fn`, expecting an AppError with one of `codes` whose message and details leak nothing. */
function assertFails(fn: () => unknown, codes: readonly string[], secrets: readonly string[] = [password]): AppError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof AppError, `expected an AppError, got ${String(caught)}`);
  assert.ok(codes.includes(caught.code), `unexpected code ${caught.code}: ${caught.message}`);
  const shown = `${caught.message} ${JSON.stringify(caught.details ?? null)}`;
  for (const s of [...secrets, K1, K2]) assert.ok(!shown.includes(s), 'error text leaks a secret or key');
  return caught;
}

const bindingArb = fc.record({
  organizationId: fc.string({ minLength: 1, unit: 'binary' }),
  relayId: fc.string({ minLength: 1, unit: 'binary' }),
  purpose: fc.string({ minLength: 1, unit: 'binary' }),
});

describe('sealSecret / openSecret', () => {
  test('round-trips any unicode text, for any binding', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), bindingArb, (text, b) => {
        assert.equal(openSecret(sealSecret(text, b, ringK1), b, ringK1), text);
      }),
    );
  });

  test('uses a fresh data key and IVs each time, in the v1 text format', () => {
    const a = sealSecret(password, binding, ringK1);
    const b = sealSecret(password, binding, ringK1);
    assert.notEqual(a, b);
    const fields = a.split('.');
    assert.equal(fields.length, 6);
    assert.equal(fields[0], 'v1');
    assert.equal(fields[1], ringK1.currentId);
    for (const field of fields.slice(2)) assert.match(field, /^[A-Za-z0-9_-]+$/);
    const [, , wrapIvA, dekA, ivA] = fields;
    const [, , wrapIvB, dekB, ivB] = b.split('.');
    assert.notEqual(wrapIvA, wrapIvB);
    assert.notEqual(dekA, dekB);
    assert.notEqual(ivA, ivB);
    assert.equal(sealedKeyId(a), ringK1.currentId);
  });

  test('a sealed value copied to another organization, relay or purpose does not open', () => {
    const sealed = sealSecret(password, binding, ringK1);
    for (const other of [
      { ...binding, organizationId: 'org_other' },
      { ...binding, relayId: 'rly_2' },
      { ...binding, purpose: 'oauth2-refresh-token' },
      // Field boundaries are part of the binding, not just the concatenated text.
      { organizationId: 'org_acmerly_1', relayId: '', purpose: 'smtp-password' },
    ]) {
      if (other.relayId === '') {
        assertFails(() => openSecret(sealed, other, ringK1), ['secret_binding_invalid']);
        continue;
      }
      assertFails(() => openSecret(sealed, other, ringK1), ['secret_unreadable']);
    }
  });

  test('any different binding fails to open (property)', () => {
    fc.assert(
      fc.property(bindingArb, bindingArb, fc.string({ unit: 'binary' }), (a, b, text) => {
        fc.pre(a.organizationId !== b.organizationId || a.relayId !== b.relayId || a.purpose !== b.purpose);
        const sealed = sealSecret(text, a, ringK1);
        assertFails(() => openSecret(sealed, b, ringK1), ['secret_unreadable'], []);
      }),
      { numRuns: 200 },
    );
  });

  test('changing any single character of the sealed text makes it fail', () => {
    const sealed = sealSecret(password, binding, ringK2WithK1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    let checked = 0;
    for (let i = 0; i < sealed.length; i += 1) {
      for (const replacement of [alphabet[(alphabet.indexOf(sealed[i] ?? '') + 1) % alphabet.length] ?? 'A', '=', '.']) {
        if (replacement === sealed[i]) continue;
        const tampered = sealed.slice(0, i) + replacement + sealed.slice(i + 1);
        // Editing the key id names a key the ring does not hold: that is its own, clear error.
        assertFails(() => openSecret(tampered, binding, ringK2WithK1), ['secret_unreadable', 'secret_key_unknown']);
        checked += 1;
      }
    }
    assert.ok(checked > 3 * 100);
  });

  test('flipping any bit of any decoded byte makes it fail as unreadable', () => {
    const sealed = sealSecret(password, binding, ringK1);
    const fields = sealed.split('.');
    for (let f = 2; f < fields.length; f += 1) {
      const bytes = Buffer.from(fields[f] ?? '', 'base64url');
      for (let i = 0; i < bytes.length; i += 1) {
        for (const bit of [0x01, 0x80]) {
          const copy = Buffer.from(bytes);
          copy[i] = (copy[i] ?? 0) ^ bit;
          const tampered = fields.map((v, j) => (j === f ? copy.toString('base64url') : v)).join('.');
          assertFails(() => openSecret(tampered, binding, ringK1), ['secret_unreadable']);
        }
      }
    }
  });

  test('truncated, extended or foreign values fail as unreadable', () => {
    const sealed = sealSecret(password, binding, ringK1);
    for (const bad of [
      '',
      password,
      sealed.slice(0, -1),
      sealed.slice(0, sealed.lastIndexOf('.')),
      `${sealed}.AAAA`,
      `${sealed}AAAA`,
      sealed.replace(/^v1\./, 'v2.'),
      sealed.replace(/^v1\.[0-9a-f]+\./, 'v1.not-a-key-id.'),
      // A same-length value whose last character only differs in bits base64url ignores.
      sealed.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    ]) {
      assertFails(() => openSecret(bad, binding, ringK1), ['secret_unreadable']);
    }
  });

  test('relabelling a record with another known key id fails', () => {
    const sealed = sealSecret(password, binding, ringK1);
    const relabelled = sealed.replace(ringK1.currentId, ringK2.currentId);
    assertFails(() => openSecret(relabelled, binding, ringK2WithK1), ['secret_unreadable']);
  });

  test('sealed output never contains the plaintext, its encodings or the keys', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, unit: 'binary' }), (text) => {
        const sealed = sealSecret(text, binding, ringK1);
        const bytes = Buffer.from(text, 'utf8');
        for (const form of [text, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')]) {
          assert.ok(!sealed.includes(form));
        }
        for (const key of [K1, Buffer.from(K1, 'base64').toString('base64url'), Buffer.from(K1, 'base64').toString('hex')]) {
          assert.ok(!sealed.includes(key));
        }
      }),
    );
  });

  test('refuses text with an unpaired surrogate instead of silently altering it', () => {
    assertFails(() => sealSecret('pass\uD800word', binding, ringK1), ['validation_failed']);
  });

  test('refuses an incomplete binding', () => {
    assertFails(() => sealSecret(password, { ...binding, organizationId: '' }, ringK1), ['secret_binding_invalid']);
  });
});

describe('key rotation', () => {
  test('rewrap moves a record to the new key; the old key is needed only until then', () => {
    const underK1 = sealSecret(password, binding, ringK1);
    assert.equal(sealedKeyId(underK1), ringK1.currentId);

    // Mid-rotation: the new ring still opens records wrapped under the old key.
    assert.equal(openSecret(underK1, binding, ringK2WithK1), password);

    const underK2 = rewrapSecret(underK1, ringK2WithK1);
    assert.equal(sealedKeyId(underK2), ringK2.currentId);
    // Only the wrapped data key changed; the data ciphertext was copied as it was.
    assert.deepEqual(underK2.split('.').slice(4), underK1.split('.').slice(4));
    assert.notDeepEqual(underK2.split('.').slice(2, 4), underK1.split('.').slice(2, 4));

    assert.equal(openSecret(underK2, binding, ringK2), password);
    assert.equal(rewrapSecret(underK2, ringK2), underK2, 'already current: unchanged');

    const error = assertFails(() => openSecret(underK1, binding, ringK2), ['secret_key_unknown']);
    assert.match(error.message, new RegExp(ringK1.currentId));
    assert.match(error.message, /previous/);
    assertFails(() => rewrapSecret(underK1, ringK2), ['secret_key_unknown']);
  });

  test('rewrap keeps the record bound to its organization, relay and purpose', () => {
    const underK2 = rewrapSecret(sealSecret(password, binding, ringK1), ringK2WithK1);
    assertFails(() => openSecret(underK2, { ...binding, relayId: 'rly_2' }, ringK2), ['secret_unreadable']);
  });

  test('rewrap of a tampered record fails instead of laundering it', () => {
    const sealed = sealSecret(password, binding, ringK1);
    const fields = sealed.split('.');
    const dek = Buffer.from(fields[3] ?? '', 'base64url');
    dek[0] = (dek[0] ?? 0) ^ 1;
    fields[3] = dek.toString('base64url');
    assertFails(() => rewrapSecret(fields.join('.'), ringK2WithK1), ['secret_unreadable']);
  });
});
