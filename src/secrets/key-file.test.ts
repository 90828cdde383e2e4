import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { openSecret, rewrapSecret, sealSecret, sealedKeyId } from './envelope.ts';
import { KEY_FILE_NAME, dropPreviousKeys, keyFilePath, loadOrCreateKeyFile, rotateKeyFile, writeKeyFile } from './key-file.ts';
import { KeyRing, generateSecretKey } from './key-ring.ts';

const root = mkdtempSync(path.join(tmpdir(), 'relais-key-file-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A data dir that does not exist yet, as on a first start. */
function freshDataDir(): string {
  counter += 1;
  return path.join(root, `case-${counter}`, 'relais-data');
}

const modeOf = (file: string): number => statSync(file).mode & 0o777;
const posix = process.platform !== 'win32';

describe('loadOrCreateKeyFile', () => {
  test('creates the data dir and a 0600 key file holding one fresh key', () => {
    const dir = freshDataDir();
    const loaded = loadOrCreateKeyFile(dir);
    assert.equal(loaded.created, true);
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(loaded.previous, []);
    assert.equal(Buffer.from(loaded.current, 'base64').length, 32);
    assert.equal(keyFilePath(dir), path.join(dir, KEY_FILE_NAME));
    if (posix) assert.equal(modeOf(keyFilePath(dir)), 0o600);
    assert.deepEqual(readdirSync(dir), [KEY_FILE_NAME], 'no temporary file left behind');
  });

  test('reuses the same key on the next start', () => {
    const dir = freshDataDir();
    const first = loadOrCreateKeyFile(dir);
    const second = loadOrCreateKeyFile(dir);
    assert.equal(second.created, false);
    assert.equal(second.current, first.current);
    assert.notEqual(loadOrCreateKeyFile(freshDataDir()).current, first.current);
  });

  test('tightens a file readable by group or others and says so', { skip: !posix }, () => {
    const dir = freshDataDir();
    const { current } = loadOrCreateKeyFile(dir);
    chmodSync(keyFilePath(dir), 0o644);
    const loaded = loadOrCreateKeyFile(dir);
    assert.equal(loaded.current, current);
    assert.equal(modeOf(keyFilePath(dir)), 0o600);
    assert.equal(loaded.warnings.length, 1);
    assert.match(loaded.warnings[0] ?? '', /0644/);
    assert.ok(!(loaded.warnings[0] ?? '').includes(current));
    assert.deepEqual(loadOrCreateKeyFile(dir).warnings, []);
  });

  test('refuses a malformed file without printing its content', () => {
    const dir = freshDataDir();
    loadOrCreateKeyFile(dir);
    const file = keyFilePath(dir);
    const notAKey = 'c2hvcnQta2V5';
    for (const [content, code] of [
      ['{ not json', 'secret_key_file_invalid'],
      [JSON.stringify({ version: 1, current: notAKey, previous: [] }), 'secret_key_invalid'],
      [JSON.stringify({ version: 2, current: generateSecretKey(), previous: [] }), 'secret_key_file_invalid'],
      [JSON.stringify({ version: 1, current: generateSecretKey() }), 'secret_key_file_invalid'],
    ] as const) {
      writeFileSync(file, content, { mode: 0o600 });
      assert.throws(
        () => loadOrCreateKeyFile(dir),
        (error: unknown) => error instanceof AppError && error.code === code && !error.message.includes(notAKey),
      );
    }
  });
});

describe('writeKeyFile', () => {
  test('replaces the file atomically with mode 0600 and drops duplicate previous keys', () => {
    const dir = freshDataDir();
    const { current: k1 } = loadOrCreateKeyFile(dir);
    if (posix) chmodSync(keyFilePath(dir), 0o644);
    const k2 = generateSecretKey();
    writeKeyFile(dir, { current: k2, previous: [k1, k2, k1] });
    if (posix) assert.equal(modeOf(keyFilePath(dir)), 0o600);
    assert.deepEqual(readdirSync(dir), [KEY_FILE_NAME]);
    const loaded = loadOrCreateKeyFile(dir);
    assert.deepEqual([loaded.current, loaded.previous], [k2, [k1]]);
    assert.deepEqual(loaded.warnings, []);
  });

  test('refuses an invalid key and leaves the existing file as it was', () => {
    const dir = freshDataDir();
    const before = loadOrCreateKeyFile(dir);
    assert.throws(
      () => writeKeyFile(dir, { current: 'too-short', previous: [] }),
      (error: unknown) => error instanceof AppError && error.code === 'secret_key_invalid',
    );
    assert.equal(loadOrCreateKeyFile(dir).current, before.current);
    assert.deepEqual(readdirSync(dir), [KEY_FILE_NAME]);
  });
});

describe('rotation in embedded mode', () => {
  test('rotate, re-wrap every record, then drop the old key', () => {
    const dir = freshDataDir();
    const binding = { organizationId: 'org_1', relayId: 'rly_1', purpose: 'smtp-password' };
    const ringOf = (c: { current: string; previous: readonly string[] }) => KeyRing.fromBase64(c.current, c.previous);

    const k1 = loadOrCreateKeyFile(dir);
    const rows = ['first secret', 'second secret'].map((s) => sealSecret(s, binding, ringOf(k1)));

    const rotated = rotateKeyFile(dir);
    assert.deepEqual(rotated.previous, [k1.current]);
    assert.notEqual(rotated.current, k1.current);
    const midRing = ringOf(loadOrCreateKeyFile(dir));
    assert.equal(midRing.currentId, ringOf(rotated).currentId);
    // Mid-rotation, a record not yet re-wrapped still opens.
    assert.equal(openSecret(rows[1] ?? '', binding, midRing), 'second secret');

    const rewrapped = rows.map((row) => rewrapSecret(row, midRing));
    assert.ok(rewrapped.every((row) => sealedKeyId(row) === midRing.currentId));

    const finished = dropPreviousKeys(dir);
    assert.deepEqual(finished, { current: rotated.current, previous: [] });
    const finalRing = ringOf(loadOrCreateKeyFile(dir));
    assert.deepEqual(
      rewrapped.map((row) => openSecret(row, binding, finalRing)),
      ['first secret', 'second secret'],
    );
    assert.throws(
      () => openSecret(rows[0] ?? '', binding, finalRing),
      (error: unknown) => error instanceof AppError && error.code === 'secret_key_unknown',
    );
  });
});
