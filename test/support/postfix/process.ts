// Small process helpers for the private MTA fixture: find system binaries, wait for a daemon
// to come up within a deadline, and show the end of its log when it does not.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

// Daemons live in sbin, which an unprivileged user's PATH often lacks.
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN_DIRS];
  return dirs.map((dir) => path.join(dir, name)).find((candidate) => existsSync(candidate));
}

function connectOnce(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(500);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Polls until `check` holds or the deadline passes; a bounded wait for a real daemon. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
}

export function waitForPort(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return waitUntil(() => connectOnce(host, port), timeoutMs);
}

export async function logTail(file: string, lineCount = 30): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lineCount).join('\n') || '(empty)';
  } catch {
    return '(no log file)';
  }
}
