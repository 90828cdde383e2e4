import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { AppError } from '../errors.ts';
import { KeyRing, generateSecretKey, keyIdOf } from './key-ring.ts';

const K1 = generateSecretKey();
const K2 = generateSecretKey();

describe('KeyRing', () => {
  test('names each key by a stable id that reveals nothing of it', () => {
    const ring = KeyRing.fromBase64(K1);
    assert.match(ring.currentId, /^[0-9a-f]{16}$/);
    assert.equal(ring.currentId, KeyRing.fromBase64(K1).currentId);
    assert.equal(ring.currentId, keyIdOf(Buffer.from(K1, 'base64')));
    assert.notEqual(ring.currentId, KeyRing.fromBase64(K2).currentId);
    assert.ok(!Buffer.from(K1, 'base64').toString('hex').includes(ring.currentId));
  });

  test('holds the current key first and previous keys for lookup, without duplicates', () => {
    const ring = KeyRing.fromBase64(K2, [K1, K2, K1]);
    const id1 = KeyRing.fromBase64(K1).currentId;
    assert.equal(ring.current().id, ring.currentId);
    assert.deepEqual(ring.ids, [ring.currentId, id1]);
    assert.ok(ring.has(id1));
    assert.equal(ring.require(id1).id, id1);
  });

  test('an unknown key id tells the operator to restore the old key', () => {
    const ring = KeyRing.fromBase64(K2);
    const id1 = KeyRing.fromBase64(K1).currentId;
    assert.throws(
      () => ring.require(id1),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'secret_key_unknown' &&
        error.message.includes(id1) &&
        /previous/.test(error.message) &&
        error.message.includes('rotate-secret'),
    );
  });

  test('rejects keys that are not 32 bytes of base64, without echoing them', () => {
    for (const bad of ['', 'c2hvcnQ=', `${K1}AAAA`, 'not base64 at all!!', Buffer.alloc(31).toString('base64')]) {
      assert.throws(
        () => KeyRing.fromBase64(bad),
        (error: unknown) =>
          error instanceof AppError && error.code === 'secret_key_invalid' && (bad === '' || !error.message.includes(bad)),
      );
    }
    assert.throws(
      () => KeyRing.fromBase64(K1, ['c2hvcnQ=']),
      (error: unknown) => error instanceof AppError && /Previous secret key #1/.test(error.message),
    );
  });

  test('accepts base64url and surrounding whitespace, as the configuration does', () => {
    const url = Buffer.from(K1, 'base64').toString('base64url');
    assert.equal(KeyRing.fromBase64(` ${url}\n`).currentId, KeyRing.fromBase64(K1).currentId);
  });

  test('never shows key material when logged or inspected', () => {
    const ring = KeyRing.fromBase64(K1, [K2]);
    const raw = [K1, K2].flatMap((k) => [k, Buffer.from(k, 'base64').toString('hex')]);
    for (const shown of [JSON.stringify(ring), inspect(ring), inspect(ring.current()), String(ring)]) {
      for (const k of raw) assert.ok(!shown.includes(k));
    }
    assert.ok(JSON.stringify(ring).includes(ring.currentId));
  });
});
