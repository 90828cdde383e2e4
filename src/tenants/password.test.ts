import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from './password.ts';

test('hashes with scrypt N=2^15, r=8, p=1 and a per-password salt; verifies only the right password', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
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
