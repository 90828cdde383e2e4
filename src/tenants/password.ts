// Password hashing with scrypt (memory-hard, in node:crypto). Stored as
// `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` so parameters can be raised later
// without invalidating existing hashes: a hash made with weaker parameters still verifies,
// and is replaced on the next successful sign-in (`needsRehash`).
//
// Hashes run on libuv's thread pool, which DNS lookups and file I/O share: at most
// HASH_CONCURRENCY run at once, the others wait their turn here rather than there.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. 2^17 with r=8 uses 128 MiB per hash. */
  N: number;
  r: number;
  p: number;
}

/** OWASP's current recommendation for scrypt (Password Storage Cheat Sheet). */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
/** Half of libuv's default pool of 4 threads: DNS lookups and file I/O keep the other half. */
export const HASH_CONCURRENCY = 2;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

/** Hashes computed by this process, and how many ran at once: what the tests observe. */
export interface HashActivity {
  evaluations: number;
  inFlight: number;
  peakInFlight: number;
}

const activity: HashActivity = { evaluations: 0, inFlight: 0, peakInFlight: 0 };
const waiting: (() => void)[] = [];

export function hashActivity(): Readonly<HashActivity> {
  return { ...activity };
}

/** Starts a new peak measurement (tests). */
export function resetHashPeak(): void {
  activity.peakInFlight = activity.inFlight;
}

async function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  if (activity.inFlight >= HASH_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  // A finishing hash hands its turn over directly (inFlight unchanged), so no newcomer slips in between.
  else activity.inFlight++;
  activity.evaluations++;
  activity.peakInFlight = Math.max(activity.peakInFlight, activity.inFlight);
  // 128·N·r bytes plus headroom: node refuses anything above maxmem (32 MiB by default).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 };
  try {
    return await new Promise((resolve, reject) => {
      scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
    });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else activity.inFlight--;
  }
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

/** Whether a hash was made with weaker parameters than `params` (then it is replaced on the next successful sign-in). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parse(stored);
  if (!parsed) return false;
  return parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p;
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
