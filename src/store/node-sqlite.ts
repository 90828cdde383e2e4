// Node's built-in SQLite (node:sqlite) as Kysely's SqliteDialect expects a database: nothing to
// compile at install, the SQLite that ships with the runtime.
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** SQLite's result codes by number, named as SQLite (and Relais's fault handling) names them. */
const PRIMARY_CODES = [
  'SQLITE_OK', 'SQLITE_ERROR', 'SQLITE_INTERNAL', 'SQLITE_PERM', 'SQLITE_ABORT', 'SQLITE_BUSY', 'SQLITE_LOCKED',
  'SQLITE_NOMEM', 'SQLITE_READONLY', 'SQLITE_INTERRUPT', 'SQLITE_IOERR', 'SQLITE_CORRUPT', 'SQLITE_NOTFOUND',
  'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL', 'SQLITE_EMPTY', 'SQLITE_SCHEMA', 'SQLITE_TOOBIG',
  'SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_MISUSE', 'SQLITE_NOLFS', 'SQLITE_AUTH', 'SQLITE_FORMAT',
  'SQLITE_RANGE', 'SQLITE_NOTADB',
];
const EXTENDED_CODES: Readonly<Record<number, string>> = {
  275: 'SQLITE_CONSTRAINT_CHECK',
  517: 'SQLITE_BUSY_SNAPSHOT',
  787: 'SQLITE_CONSTRAINT_FOREIGNKEY',
  1299: 'SQLITE_CONSTRAINT_NOTNULL',
  1555: 'SQLITE_CONSTRAINT_PRIMARYKEY',
  1811: 'SQLITE_CONSTRAINT_TRIGGER',
  2067: 'SQLITE_CONSTRAINT_UNIQUE',
};

/** The SQLite name of a result code (extended when Relais tells them apart, else the primary one). */
export function sqliteCodeName(errcode: number): string {
  return EXTENDED_CODES[errcode] ?? PRIMARY_CODES[errcode & 0xff] ?? 'SQLITE_ERROR';
}

/**
 * node:sqlite reports every SQLite failure as `ERR_SQLITE_ERROR` with the number in `errcode`;
 * the error's `code` becomes SQLite's own name (`SQLITE_FULL`, `SQLITE_CONSTRAINT_UNIQUE`…).
 */
function named<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    const e = error as { code?: unknown; errcode?: unknown };
    if (e && e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') e.code = sqliteCodeName(e.errcode);
    throw error;
  }
}

/** node:sqlite rows have no prototype; Relais (and its tests) expect plain objects, as from pg. */
function plain(row: unknown): unknown {
  return { ...(row as object) };
}

function* plainRows(rows: Iterable<unknown>): IterableIterator<unknown> {
  for (const row of rows) yield plain(row);
}

function statement(prepared: StatementSync, fresh: () => StatementSync): SqliteStatement {
  const args = (parameters: ReadonlyArray<unknown>) => parameters as SQLInputValue[];
  return {
    // A statement that returns rows (SELECT, … RETURNING, most PRAGMAs) has result columns.
    reader: prepared.columns().length > 0,
    all: (parameters) => named(() => prepared.all(...args(parameters)).map(plain)),
    run: (parameters) => named(() => prepared.run(...args(parameters))),
    // A stream gets a statement of its own: a kept one may be run again before the stream ends.
    iterate: (parameters) => plainRows(named(() => fresh().iterate(...args(parameters)))),
  };
}

/** A rollback after SQLite already rolled the transaction back itself (SQLITE_FULL, SQLITE_IOERR). */
const NO_OP: SqliteStatement = { reader: false, all: () => [], run: () => ({ changes: 0, lastInsertRowid: 0 }), iterate: () => [][Symbol.iterator]() };

/** Distinct SQL texts whose prepared statements are kept (oldest dropped first). */
const STATEMENT_CACHE_SIZE = 500;

export interface NodeSqlite extends SqliteDatabase {
  /** Runs SQL without results (PRAGMAs at open). */
  exec(sql: string): void;
}

/** Opens `file` with node:sqlite, shaped for Kysely's SqliteDialect. */
export function openNodeSqlite(file: string): NodeSqlite {
  const db = named(() => new DatabaseSync(file));
  // Kysely prepares every query it runs; the same SQL comes back all day, so keep the statements.
  const cache = new Map<string, SqliteStatement>();
  const prepared = (sql: string): SqliteStatement => {
    let found = cache.get(sql);
    if (found === undefined) {
      found = named(() => statement(db.prepare(sql), () => db.prepare(sql)));
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(sql, found);
    }
    return found;
  };
  return {
    exec: (sql) => named(() => db.exec(sql)),
    // Kysely rolls back after a failed statement: when SQLite has already done so, the rollback is
    // a no-op, otherwise "cannot rollback - no transaction is active" would hide the real error.
    prepare: (sql) => (/^\s*rollback\s*$/i.test(sql) && !db.isTransaction ? NO_OP : prepared(sql)),
    close: () => {
      cache.clear();
      if (db.isOpen) db.close();
    },
  };
}
