// Is the database taking writes right now? A tiny real write (one row of `readiness_probe`),
// plus, under SQLite, the free space of the database's filesystem; the answer is kept for a
// moment so that /readyz stays cheap however often a load balancer asks.
import fs from 'node:fs';
import { classifyDatabaseError, type DatabaseFaults, type FaultKind } from './database-faults.ts';
import { RETRY_SAFE } from './reconnecting-driver.ts';
import type { Db } from './store.ts';

/** An answer is reused this long (a new fault noted meanwhile makes "ready" stale at once). */
export const READINESS_CACHE_MS = 1000;

/**
 * Below this many free bytes the filesystem counts as full: SQLite may still rewrite pages it
 * already has, but a new message needs fresh ones.
 */
export const MIN_FREE_BYTES = 1024 * 1024;

export interface ReadinessOptions {
  readonly db: Db;
  readonly faults: DatabaseFaults;
  /** The directory whose filesystem holds the database (SQLite). */
  readonly dataDir?: string;
  readonly now?: () => number;
}

/** The bytes an unprivileged process may still write under `dir`, or undefined when the system cannot say. */
function freeBytes(dir: string): number | undefined {
  try {
    const stats = fs.statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

export class ReadinessProbe {
  private cached: { at: number; promise: Promise<FaultKind | undefined>; ready?: boolean } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ReadinessOptions) {
    this.now = options.now ?? Date.now;
    // A fault seen by any query makes a cached "ready" stale.
    options.faults.onFault(() => {
      if (this.cached?.ready) this.cached = undefined;
    });
  }

  /** The fault that keeps the database from taking writes, or undefined when it takes them. */
  check(): Promise<FaultKind | undefined> {
    const now = this.now();
    if (this.cached && now - this.cached.at < READINESS_CACHE_MS) return this.cached.promise;
    const entry: { at: number; promise: Promise<FaultKind | undefined>; ready?: boolean } = { at: now, promise: Promise.resolve(undefined) };
    entry.promise = this.probe().then((kind) => {
      entry.ready = kind === undefined;
      return kind;
    });
    this.cached = entry;
    // An unexpected error (not a database fault) is not kept.
    entry.promise.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return entry.promise;
  }

  private async probe(): Promise<FaultKind | undefined> {
    const { db, faults, dataDir } = this.options;
    try {
      const at = this.now();
      await db
        .insertInto('readiness_probe')
        .values({ id: 1, written_at: at })
        .onConflict((oc) => oc.column('id').doUpdateSet({ written_at: at }))
        .modifyEnd(RETRY_SAFE)
        .execute();
      const free = dataDir === undefined ? undefined : freeBytes(dataDir);
      if (free !== undefined && free < MIN_FREE_BYTES) {
        throw Object.assign(new Error(`the database's filesystem has ${free} bytes free (fewer than ${MIN_FREE_BYTES})`), { code: 'ENOSPC' });
      }
    } catch (error) {
      const kind = classifyDatabaseError(error);
      if (!kind) throw error;
      faults.note(error);
      return kind;
    }
    faults.answered();
    return undefined;
  }
}
