// Embedded mode keeps its key-encryption keys in <dataDir>/secret-keys.json (mode 0600)
// when RELAIS_SECRET_KEY is not set, so `npm start` needs no setup and secrets still never
// sit in the database in clear. Whoever can read this file can read every relay secret.
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { AppError, toError } from '../errors.ts';
import { decodeSecretKey, generateSecretKey, keyIdOf } from './key-ring.ts';

export const KEY_FILE_NAME = 'secret-keys.json';
const FILE_MODE = 0o600;

/** Base64 key-encryption keys: `current` seals, `previous` only opens until rotation ends. */
export interface KeyFileContents {
  readonly current: string;
  readonly previous: readonly string[];
}

export interface LoadedKeyFile extends KeyFileContents {
  /** True when this call generated the file. */
  readonly created: boolean;
  /** Things the operator should know (e.g. permissions that were tightened); log them. */
  readonly warnings: readonly string[];
}

const fileSchema = z.strictObject({
  version: z.literal(1),
  current: z.string(),
  previous: z.array(z.string()),
});

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, KEY_FILE_NAME);
}

/**
 * Reads the key file, or creates it with a fresh key when absent. A file readable by group
 * or others has its mode set back to 0600 and a warning is returned.
 */
export function loadOrCreateKeyFile(dataDir: string): LoadedKeyFile {
  const file = keyFilePath(dataDir);
  let created = false;
  if (!exists(file)) created = createKeyFile(dataDir, { current: generateSecretKey(), previous: [] });
  const warnings = enforcePrivateMode(file);
  return { ...readKeyFile(file), created, warnings };
}

/** Replaces the key file atomically (temporary file, then rename), mode 0600. */
export function writeKeyFile(dataDir: string, contents: KeyFileContents): void {
  const file = keyFilePath(dataDir);
  const normalized = normalize(contents, file);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const temp = writeTemp(file, normalized);
  try {
    renameSync(temp, file);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
  syncDirectory(dataDir);
}

/**
 * First step of `relais keys rotate-secret` in embedded mode: a new current key, the old
 * ones kept as previous so every record stays readable while it is re-wrapped.
 */
export function rotateKeyFile(dataDir: string): KeyFileContents {
  const { current, previous } = loadOrCreateKeyFile(dataDir);
  const next = { current: generateSecretKey(), previous: [current, ...previous] };
  writeKeyFile(dataDir, next);
  return next;
}

/** Last step of rotation, once every record is re-wrapped: forget the previous keys. */
export function dropPreviousKeys(dataDir: string): KeyFileContents {
  const { current } = loadOrCreateKeyFile(dataDir);
  const next = { current, previous: [] };
  writeKeyFile(dataDir, next);
  return next;
}

/**
 * Creates the file only if nobody else did: the complete temporary file is hard-linked into
 * place, which fails if the name exists, so two processes starting together agree on one key.
 */
function createKeyFile(dataDir: string, contents: KeyFileContents): boolean {
  const file = keyFilePath(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const temp = writeTemp(file, normalize(contents, file));
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    removeQuietly(temp);
  }
  syncDirectory(dataDir);
  return true;
}

function writeTemp(file: string, contents: KeyFileContents): string {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const body = `${JSON.stringify({ version: 1, current: contents.current, previous: contents.previous }, null, 2)}\n`;
  const fd = openSync(temp, 'wx', FILE_MODE);
  try {
    // Explicit, so an unusual umask cannot leave the file unreadable to its owner.
    fchmodSync(fd, FILE_MODE);
    writeSync(fd, body);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeQuietly(temp);
    throw error;
  }
  closeSync(fd);
  return temp;
}

function readKeyFile(file: string): KeyFileContents {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('secret_key_file_invalid', `${file} is not valid JSON.`, undefined, { cause: toError(error) });
  }
  const result = fileSchema.safeParse(parsed);
  if (!result.success) {
    throw new AppError(
      'secret_key_file_invalid',
      `${file} must look like {"version": 1, "current": "<base64 key>", "previous": []}.`,
    );
  }
  return normalize(result.data, file);
}

/** Validates every key (without echoing it) and drops previous keys equal to another. */
function normalize(contents: KeyFileContents, file: string): KeyFileContents {
  const seen = new Set([checkedId(contents.current, `"current" in ${file}`)]);
  const previous: string[] = [];
  contents.previous.forEach((key, i) => {
    const id = checkedId(key, `"previous"[${i}] in ${file}`);
    if (!seen.has(id)) previous.push(key);
    seen.add(id);
  });
  return { current: contents.current, previous };
}

function checkedId(key: string, label: string): string {
  const bytes = decodeSecretKey(key, label);
  try {
    return keyIdOf(bytes);
  } finally {
    bytes.fill(0);
  }
}

function enforcePrivateMode(file: string): string[] {
  const stats = statSync(file);
  if (!stats.isFile()) {
    throw new AppError('secret_key_file_invalid', `${file} must be a regular file.`);
  }
  // Windows has no group/other permission bits to check.
  if (process.platform === 'win32') return [];
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) === 0) return [];
  const shown = mode.toString(8).padStart(4, '0');
  try {
    chmodSync(file, FILE_MODE);
  } catch (error) {
    throw new AppError(
      'secret_key_file_insecure',
      `${file} is readable by group or others (mode ${shown}) and its mode could not be set to 0600; ` +
        `fix it with: chmod 600 ${file}`,
      undefined,
      { cause: toError(error) },
    );
  }
  return [
    `${file} was readable by group or others (mode ${shown}); its mode is now 0600. ` +
      'If anyone else may have read it, rotate the key with `relais keys rotate-secret`.',
  ];
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone, or never written.
  }
}

/** Makes the rename/link durable across a power cut; not every platform can open a directory. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
