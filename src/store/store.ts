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
  /** Short writes on hot paths (accepts, send outcomes) that share a transaction and its fsync. */
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
}

/**
 * Statements prepared once and reused: Kysely asks the driver to prepare every query it runs,
 * and preparing cost as much as running the short statements of the hot paths. Kysely runs one
 * query at a time on SQLite's single connection (and never streams here), so a statement is
 * never in use twice at once. The least recently used are dropped beyond `limit`.
 */
class PreparedStatements {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();
  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    private readonly limit = 500,
  ) {}

  get(source: string): SqliteDatabase.Statement {
    let statement = this.statements.get(source);
    if (statement) {
      this.statements.delete(source);
    } else {
      statement = this.sqlite.prepare(source);
      if (this.statements.size >= this.limit) this.statements.delete(this.statements.keys().next().value as string);
    }
    this.statements.set(source, statement);
    return statement;
  }
}

/**
 * better-sqlite3 as Kysely sees it, but a `rollback` after SQLite already rolled the
 * transaction back itself (SQLITE_FULL, SQLITE_IOERR) is a no-op: otherwise "cannot rollback -
 * no transaction is active" replaces the transaction's real error.
 */
function withSafeRollback(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const noop = { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }), all: () => [], iterate: () => [][Symbol.iterator]() };
  const prepared = new PreparedStatements(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property === 'prepare') {
        return (source: string) => (/^\s*rollback\s*$/i.test(source) && !target.inTransaction ? noop : prepared.get(source));
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
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withSafeRollback(sqlite) }) });
    const commits = new GroupCommit(db, SQLITE.commitLanes);
    return { db, capabilities: SQLITE, faults: new DatabaseFaults({ holdMs: options.faultHoldMs }), commits, close: () => db.destroy() };
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
  return { db, capabilities: POSTGRES, postgres: poolConfig, faults, commits: new GroupCommit(db, POSTGRES.commitLanes), close: () => db.destroy() };
}
