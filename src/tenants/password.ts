// Password hashing with scrypt (memory-hard, in node:crypto). Stored as
// `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` so parameters can be raised later
// without invalidating existing hashes.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. 2^15 with r=8 uses 32 MiB per hash. */
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // 128·N·r bytes plus headroom: node refuses anything above maxmem (32 MiB by default).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await scrypt(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (!N || !r || !p || N > 2 ** 20 || r > 32 || p > 16) return undefined;
  return { params: { N, r, p }, salt: Buffer.from(parts[4] ?? '', 'base64'), hash: Buffer.from(parts[5] ?? '', 'base64') };
}

// Checked against when the email is unknown, so an answer takes as long either way and
// response times do not reveal which addresses have accounts.
let decoy: Promise<string> | undefined;

/** Whether `password` matches `stored`; a null `stored` still costs one hash. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = parse(stored ?? (await (decoy ??= hashPassword(randomBytes(16).toString('hex')))));
  if (!parsed) return false;
  const candidate = await scrypt(password, parsed.salt, parsed.params);
  return stored !== null && candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
}
