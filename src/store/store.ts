// Opens the database for the configured backend and runs its migrations.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { POSTGRES, SQLITE, type Capabilities } from './capabilities.ts';
import { ensurePrivateDatabaseFiles } from './file-modes.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Repositories take either the database or a transaction: the caller owns the transaction. */
export type Executor = Db | Tx;

export interface Store {
  readonly db: Db;
  readonly capabilities: Capabilities;
  /** For PostgreSQL: the connection settings, for LISTEN/NOTIFY clients. */
  readonly postgres?: pg.PoolConfig;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

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
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, capabilities: SQLITE, close: () => db.destroy() };
  }
  const poolConfig: pg.PoolConfig = {
    connectionString: target.url,
    max: 10,
    types: int8Types as pg.CustomTypesConfig,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool(poolConfig) }) });
  return { db, capabilities: POSTGRES, postgres: poolConfig, close: () => db.destroy() };
}
