// Opens the database for the configured backend and runs its migrations.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { POSTGRES, SQLITE, type Capabilities } from './capabilities.ts';
import { ensurePrivateDatabaseFiles } from './file-modes.ts';
import { openNodeSqlite } from './node-sqlite.ts';
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

export function openStore(target: DatabaseTarget, options: OpenOptions = {}): Store {
  if (target.kind === 'sqlite') {
    // A directory created here is private; an existing one is the operator's (it may be shared).
    fs.mkdirSync(path.dirname(target.file), { recursive: true, mode: 0o700 });
    // The database file 0600 before SQLite opens it: its WAL and shared-memory files take its mode.
    for (const warning of ensurePrivateDatabaseFiles(target.file)) options.warn?.(warning);
    // node:sqlite, built into the runtime: nothing to compile at install.
    const sqlite = openNodeSqlite(target.file);
    // WAL with synchronous=FULL: a committed message survives a crash or power loss.
    sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, capabilities: SQLITE, faults: new DatabaseFaults({ holdMs: options.faultHoldMs }), close: () => db.destroy() };
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
