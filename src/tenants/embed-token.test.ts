import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { signEmbedToken, verifyEmbedToken, type EmbedClaims } from './embed-token.ts';

const key = randomBytes(32);
const claims: EmbedClaims = { jti: 'j'.repeat(22), organizationId: 'acme', userId: 'lea', issuedAt: 1000, expiresAt: 61_000 };

test('a signed token verifies with its key and carries its claims', () => {
  const token = signEmbedToken(key, claims);
  assert.match(token, /^v1\.[\w-]+\.[\w-]{43}$/);
  assert.deepEqual(verifyEmbedToken(key, token), claims);
  assert.equal(verifyEmbedToken(randomBytes(32), token), undefined, 'another server key');
});

test('changing any character of a token makes it invalid', () => {
  const token = signEmbedToken(key, claims);
  fc.assert(
    fc.property(fc.nat(token.length - 1), fc.constantFrom(...'ABCxyz019-_.'), (index, replacement) => {
      fc.pre(token[index] !== replacement);
      const tampered = token.slice(0, index) + replacement + token.slice(index + 1);
      const result = verifyEmbedToken(key, tampered);
      // base64url's last character may carry unused bits: only then can a change decode to the same bytes.
      return result === undefined || Buffer.from(tampered.split('.')[2] ?? '', 'base64url').equals(Buffer.from(token.split('.')[2] ?? '', 'base64url'));
    }),
  );
});

test('garbage is refused without throwing', () => {
  for (const bad of ['', 'v1', 'v1..', 'v2.a.b', 'v1.%%%.%%%', `v1.${Buffer.from('[]').toString('base64url')}.x`]) {
    assert.equal(verifyEmbedToken(key, bad), undefined, bad);
  }
});
