// Opens the database for the configured backend and runs its migrations.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type PostgresPool, type PostgresPoolClient, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { POSTGRES, SQLITE, type Capabilities } from './capabilities.ts';
import { ensurePrivateDatabaseFiles } from './file-modes.ts';
import { DatabaseFaults, classifyDatabaseError } from './database-faults.ts';
import { reconnectingDialect } from './reconnecting-driver.ts';
import { ReadinessProbe } from './readiness.ts';
import { openNodeSqlite } from './node-sqlite.ts';
import { GroupCommit } from './group-commit.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Repositories take either the database or a transaction: the caller owns the transaction. */
export type Executor = Db | Tx;

export interface Store {
  readonly db: Db;
  readonly capabilities: Capabilities;
  /** For PostgreSQL: the connection settings, for LISTEN/NOTIFY clients. */
  readonly postgres?: pg.PoolConfig;
  /** The current database incident (lost connection, full disk), its log and its metric hook. */
  readonly faults: DatabaseFaults;
  /** Whether the database takes writes right now (for /readyz): a tiny real write, cached briefly. */
  readonly readiness: ReadinessProbe;
  /**
   * SQLite only: moves up to `maxPages` free pages out of the file (incremental vacuum). Run
   * through the driver's exec, which steps the pragma to its end: a prepared statement's single
   * step would free one page.
   */
  readonly vacuumIncrementally?: (maxPages: number) => void;
  /** Short writes on hot paths (accepts, send outcomes, claims) that share a transaction and its fsync. */
  readonly commits: GroupCommit;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string; readonly applicationName?: string };

const int8Types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // BIGINT (20) holds epoch milliseconds and counts, all far below 2^53.
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export interface OpenOptions {
  /** Told when database files readable by other accounts had their mode tightened. */
  warn?: (message: string) => void;
  /** How long a database incident stays open after its last fault (default: the Retry-After). */
  faultHoldMs?: number;
  /** SQLite: how long a write waits for a lock held by another connection (default 5000 ms). */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (default 10). */
  poolSize?: number;
}

/**
 * The pool as Kysely sees it, but a client whose query met a dropped connection is discarded
 * when it is released (pg notices the closed socket a moment later, and could otherwise hand the
 * dead client to the next query, or to its retry).
 */
function discardingDropped(pool: pg.Pool): PostgresPool {
  return {
    connect: async () => {
      const client = await pool.connect();
      let dropped = false;
      const query = (...args: unknown[]): unknown => {
        const result = (client.query as (...a: unknown[]) => unknown)(...args);
        if (result instanceof Promise) {
          result.catch((error: unknown) => {
            if (classifyDatabaseError(error) === 'connection') dropped = true;
          });
        }
        return result;
      };
      return { query, release: (destroy?: boolean) => client.release(destroy === true || dropped) } as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

export function openStore(target: DatabaseTarget, options: OpenOptions = {}): Store {
  if (target.kind === 'sqlite') {
    // A directory created here is private; an existing one is the operator's (it may be shared).
    fs.mkdirSync(path.dirname(target.file), { recursive: true, mode: 0o700 });
    // The database file 0600 before SQLite opens it: its WAL and shared-memory files take its mode.
    for (const warning of ensurePrivateDatabaseFiles(target.file)) options.warn?.(warning);
    // node:sqlite, built into the runtime: nothing to compile at install.
    const sqlite = openNodeSqlite(target.file);
    // WAL with synchronous=FULL: a committed message survives a crash or power loss.
    // Pages freed by retention go back to the file system bit by bit (store/reclaim-space.ts).
    // Takes effect on a new database; an older one keeps its mode until a VACUUM (README).
    sqlite.exec(
      `PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}; PRAGMA foreign_keys = ON`,
    );
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const faults = new DatabaseFaults({ holdMs: options.faultHoldMs });
    const readiness = new ReadinessProbe({ db, faults, dataDir: path.dirname(target.file) });
    return {
      db,
      capabilities: SQLITE,
      faults,
      readiness,
      commits: new GroupCommit(db, SQLITE.commitLanes),
      vacuumIncrementally: (maxPages) => sqlite.exec(`pragma incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`),
      close: () => db.destroy(),
    };
  }
  const poolConfig: pg.PoolConfig = {
    connectionString: target.url,
    max: options.poolSize ?? 10,
    types: int8Types as pg.CustomTypesConfig,
    // Names Relais's sessions in pg_stat_activity.
    application_name: target.applicationName ?? 'relais',
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  };
  const faults = new DatabaseFaults({ holdMs: options.faultHoldMs });
  const pool = new pg.Pool(poolConfig);
  // An idle pooled client whose server went away (restart, failover, terminated backend) is
  // dropped by the pool, which then emits `error`: without a listener Node would exit.
  pool.on('error', (error) => {
    faults.note(error);
  });
  // A checked-out client has no pool listener: one that loses its server between two queries
  // would emit `error` unheard. The query that needs it fails instead, and is answered as such.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      faults.note(error);
    });
  });
  const dialect = reconnectingDialect(new PostgresDialect({ pool: discardingDropped(pool) }), { onRetry: (error) => faults.note(error) });
  const db = new Kysely<Database>({ dialect });
  return { db, capabilities: POSTGRES, postgres: poolConfig, faults, readiness: new ReadinessProbe({ db, faults }),
    commits: new GroupCommit(db, POSTGRES.commitLanes),
    close: () => db.destroy() };
}
