import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HASH_CONCURRENCY, hashActivity, hashPassword, needsRehash, resetHashPeak, verifyPassword } from './password.ts';

test('hashes with scrypt N=2^17, r=8, p=1 (OWASP) and a per-password salt; verifies only the right password', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.match(a, /^scrypt\$131072\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  assert.notEqual(a, b, 'salted');
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('keeps working with the parameters a hash was made with', async () => {
  const light = await hashPassword('pässwörd long enough', { N: 1024, r: 8, p: 1 });
  assert.match(light, /^scrypt\$1024\$8\$1\$/);
  assert.equal(await verifyPassword('pässwörd long enough', light), true);
  // NFKC: the same text typed with composed or decomposed accents is the same password.
  assert.equal(await verifyPassword('pa\u0308sswo\u0308rd long enough', light), true);
});

test('no stored hash, a garbled one, or absurd parameters never verify', async () => {
  assert.equal(await verifyPassword('anything', null), false);
  assert.equal(await verifyPassword('anything', 'plain-text'), false);
  assert.equal(await verifyPassword('anything', 'scrypt$1073741824$8$1$c2FsdA==$aGFzaA=='), false);
});

test('hashes made with weaker parameters than today\'s are due for a rehash', async () => {
  assert.equal(needsRehash(await hashPassword('pässwörd long enough', { N: 2 ** 15, r: 8, p: 1 })), true);
  assert.equal(needsRehash(await hashPassword('pässwörd long enough', { N: 2 ** 17, r: 8, p: 1 })), false);
  assert.equal(needsRehash('plain-text'), false);
});

test(`at most ${HASH_CONCURRENCY} hashes run at once, the others wait their turn`, async () => {
  resetHashPeak();
  const before = hashActivity().evaluations;
  const light = { N: 2 ** 12, r: 8, p: 1 };
  const hashes = await Promise.all(Array.from({ length: 12 }, (_, i) => hashPassword(`password number ${i}`, light)));
  assert.equal(new Set(hashes).size, 12);
  const activity = hashActivity();
  assert.equal(activity.evaluations - before, 12);
  assert.equal(activity.peakInFlight, HASH_CONCURRENCY);
  assert.equal(activity.inFlight, 0);
});
