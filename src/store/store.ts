// Opens the database for the configured backend and runs its migrations.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { POSTGRES, SQLITE, type Capabilities } from './capabilities.ts';
import { ensurePrivateDatabaseFiles } from './file-modes.ts';
import { DatabaseFaults } from './database-faults.ts';

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
  /**
   * SQLite only: moves up to `maxPages` free pages out of the file (incremental vacuum). Run
   * through the driver's exec, which steps the pragma to its end: a prepared statement's single
   * step would free one page.
   */
  readonly vacuumIncrementally?: (maxPages: number) => void;
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
}

/**
 * better-sqlite3 as Kysely sees it, but a `rollback` after SQLite already rolled the
 * transaction back itself (SQLITE_FULL, SQLITE_IOERR) is a no-op: otherwise "cannot rollback -
 * no transaction is active" replaces the transaction's real error.
 */
function withSafeRollback(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const noop = { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }), all: () => [], iterate: () => [][Symbol.iterator]() };
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property === 'prepare') {
        return (source: string) => (/^\s*rollback\s*$/i.test(source) && !target.inTransaction ? noop : target.prepare(source));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function openStore(target: DatabaseTarget, options: OpenOptions = {}): Store {
  if (target.kind === 'sqlite') {
    // A directory created here is private; an existing one is the operator's (it may be shared).
    fs.mkdirSync(path.dirname(target.file), { recursive: true, mode: 0o700 });
    // The database file 0600 before SQLite opens it: its WAL and shared-memory files take its mode.
    for (const warning of ensurePrivateDatabaseFiles(target.file)) options.warn?.(warning);
    const sqlite = new SqliteDatabase(target.file);
    // WAL with synchronous=FULL: a committed message survives a crash or power loss.
    // Pages freed by retention go back to the file system bit by bit (store/reclaim-space.ts).
    // Takes effect on a new database; an older one keeps its mode until a VACUUM (README).
    sqlite.pragma('auto_vacuum = INCREMENTAL');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withSafeRollback(sqlite) }) });
    return {
      db,
      capabilities: SQLITE,
      faults: new DatabaseFaults({ holdMs: options.faultHoldMs }),
      vacuumIncrementally: (maxPages) => sqlite.exec(`pragma incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`),
      close: () => db.destroy(),
    };
  }
  const poolConfig: pg.PoolConfig = {
    connectionString: target.url,
    max: 10,
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
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, capabilities: POSTGRES, postgres: poolConfig, faults, close: () => db.destroy() };
}
