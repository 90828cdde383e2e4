// Identifiers that sort by creation time (cursor pagination) and carry their kind.
import { randomBytes } from 'node:crypto';

/** e.g. `msg_0193f1c2a4b7_9f3c2e1a0b4d6f8e`: 48-bit millisecond time, then 64 random bits. */
export function newId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${now.toString(16).padStart(12, '0')}${randomBytes(8).toString('hex')}`;
}
