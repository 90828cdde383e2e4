// Where the key ring comes from: RELAIS_SECRET_KEY (+ previous keys) or the embedded key file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import { keyFilePath } from './key-file.ts';
import { generateSecretKey, KeyRing } from './key-ring.ts';
import { secretKeysFromConfig } from './key-source.ts';

const BINDING = { organizationId: 'acme', relayId: 'rly_1', purpose: 'smtp-password' };

test('RELAIS_SECRET_KEY_PREVIOUS: comma-separated former keys, only beside RELAIS_SECRET_KEY', () => {
  const [current, old1, old2] = [generateSecretKey(), generateSecretKey(), generateSecretKey()];
  const config = loadConfig({ RELAIS_SECRET_KEY: current, RELAIS_SECRET_KEY_PREVIOUS: ` ${old1}, ${old2} ` });
  assert.deepEqual(config.secretKeyPrevious, [old1, old2]);
  assert.deepEqual(loadConfig({}).secretKeyPrevious, []);
  assert.throws(() => loadConfig({ RELAIS_SECRET_KEY_PREVIOUS: old1 }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /RELAIS_SECRET_KEY_PREVIOUS is set without RELAIS_SECRET_KEY/);
    return true;
  });
  assert.throws(() => loadConfig({ RELAIS_SECRET_KEY: current, RELAIS_SECRET_KEY_PREVIOUS: 'short' }), /comma-separated list of keys/);
});

test('environment mode: records sealed under a previous key open; new ones use the current key', () => {
  const [oldKey, newKey] = [generateSecretKey(), generateSecretKey()];
  const before = secretKeysFromConfig({ secretKey: oldKey, secretKeyPrevious: [], dataDir: '/nonexistent', database: { kind: 'postgres' } });
  const sealed = before.seal('pw', BINDING);
  const during = secretKeysFromConfig({ secretKey: newKey, secretKeyPrevious: [oldKey], dataDir: '/nonexistent', database: { kind: 'postgres' } });
  assert.equal(during.mode, 'env');
  assert.equal(during.open(sealed, BINDING), 'pw');
  assert.equal(during.ring().currentId, KeyRing.fromBase64(newKey).currentId);
});

test('PostgreSQL without RELAIS_SECRET_KEY is refused at once (every process needs the same key)', () => {
  assert.throws(
    () => secretKeysFromConfig({ secretKey: undefined, secretKeyPrevious: [], dataDir: '/nonexistent', database: { kind: 'postgres' } }),
    { code: 'secret_key_required' },
  );
});

test('embedded mode: no key file until a secret is first sealed', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-keys-'));
  try {
    const keys = secretKeysFromConfig({ secretKey: undefined, secretKeyPrevious: [], dataDir, database: { kind: 'sqlite' } });
    assert.equal(keys.mode, 'file');
    assert.equal(fs.existsSync(keyFilePath(dataDir)), false);
    const sealed = keys.seal('pw', BINDING);
    assert.equal(fs.statSync(keyFilePath(dataDir)).mode & 0o777, 0o600);
    assert.equal(keys.open(sealed, BINDING), 'pw');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
