// Database faults: which errors mean "the database is away or out of space" rather than a bug,
// and the incident they belong to (logged once, reported by /readyz, counted by a metric).

/**
 * `connection`: PostgreSQL restarted, failed over or dropped the connection; `full`: the disk
 * under SQLite is full; `storage`: SQLite cannot read or write (I/O error, locked beyond its
 * busy timeout).
 */
export type FaultKind = 'connection' | 'full' | 'storage';

/** Seconds a client is told to wait (Retry-After) before trying again. */
export const RETRY_AFTER_SECONDS = 5;

// PostgreSQL: admin shutdown, crash shutdown, cannot connect now, connection exceptions (class 08).
const POSTGRES_CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = [/^Connection terminated/, /not queryable/, /^timeout exceeded when trying to connect/, /^Connection ended/];

/** The fault an error reveals, or undefined when it is not a database fault. */
export function classifyDatabaseError(error: unknown): FaultKind | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // ENOSPC: the filesystem under the database has no room left (seen by the readiness probe).
    if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'full';
    if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_BUSY') || code === 'SQLITE_CANTOPEN') return 'storage';
    if (POSTGRES_CONNECTION_CODES.has(code) || NETWORK_CODES.has(code)) return 'connection';
  }
  if (CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message))) return 'connection';
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? classifyDatabaseError(cause) : undefined;
}

export interface FaultIncident {
  readonly kind: FaultKind;
  readonly since: number;
}

export interface DatabaseFaultsOptions {
  /** An incident stays open this long after its last fault (then the next fault opens a new one). */
  readonly holdMs?: number;
  readonly now?: () => number;
}

export type FaultListener = (event: { kind: FaultKind; error: Error; opened: boolean }) => void;

/** The current database incident: opened by the first fault, closed by a success or after a quiet spell. */
export class DatabaseFaults {
  private incident: FaultIncident | undefined;
  private lastFaultAt = 0;
  private readonly listeners: FaultListener[] = [];
  private readonly holdMs: number;
  private readonly now: () => number;

  constructor(options: DatabaseFaultsOptions = {}) {
    this.holdMs = options.holdMs ?? RETRY_AFTER_SECONDS * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Told of every fault, with `opened` true for the first of an incident (log that one). */
  onFault(listener: FaultListener): void {
    this.listeners.push(listener);
  }

  /** Records the error when it is a database fault; returns its kind, or undefined for any other error. */
  note(error: unknown): FaultKind | undefined {
    const kind = classifyDatabaseError(error);
    if (!kind) return undefined;
    const opened = this.current === undefined;
    const now = this.now();
    if (opened) this.incident = { kind, since: now };
    this.lastFaultAt = now;
    for (const listener of this.listeners) listener({ kind, error: error as Error, opened });
    return kind;
  }

  /** The database answered a query that needed it: the incident, if any, is over. */
  answered(): FaultIncident | undefined {
    const ended = this.incident;
    this.incident = undefined;
    return ended;
  }

  /** The open incident: one whose last fault is more recent than the hold time. */
  get current(): FaultIncident | undefined {
    if (this.incident && this.now() - this.lastFaultAt >= this.holdMs) this.incident = undefined;
    return this.incident;
  }
}
