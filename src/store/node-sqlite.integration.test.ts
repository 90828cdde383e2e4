// The node:sqlite driver under Kysely: durability settings at open, SQLite's error names (which
// fault handling and idempotency rely on), RETURNING rows, and a rollback SQLite already did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { openStore } from './store.ts';
import { openNodeSqlite, sqliteCodeName } from './node-sqlite.ts';
import { classifyDatabaseError } from './database-faults.ts';
import { tempDir } from '../../test/support/databases.ts';

interface Probe {
  probe: { id: number; name: string };
}

function probeDb(file: string) {
  const sqlite = openNodeSqlite(file);
  sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 100');
  return { sqlite, db: new Kysely<Probe>({ dialect: new SqliteDialect({ database: sqlite }) }) };
}

test('a SQLite store opens in WAL mode with synchronous=FULL, a 5 s busy timeout and foreign keys on', async () => {
  const store = openStore({ kind: 'sqlite', file: path.join(tempDir(), 'relais.db') });
  try {
    const value = async (pragma: string) => Object.values((await sql.raw(`pragma ${pragma}`).execute(store.db)).rows[0] as object)[0] as unknown;
    assert.equal(await value('journal_mode'), 'wal');
    assert.equal(await value('synchronous'), 2);
    assert.equal(await value('busy_timeout'), 5000);
    assert.equal(await value('foreign_keys'), 1);
  } finally {
    await store.close();
  }
});

test('statements return their rows (SELECT, RETURNING) or their counts (UPDATE) through Kysely', async () => {
  const { db } = probeDb(path.join(tempDir(), 'probe.db'));
  try {
    await sql`create table probe (id integer primary key, name text not null unique)`.execute(db);
    const inserted = await db.insertInto('probe').values([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]).returning(['id', 'name']).execute();
    assert.deepEqual(inserted, [{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    const updated = await db.updateTable('probe').set({ name: 'c' }).where('id', '=', 2).executeTakeFirstOrThrow();
    assert.equal(updated.numUpdatedRows, 1n);
    assert.deepEqual(await db.selectFrom('probe').select('name').orderBy('id').execute(), [{ name: 'a' }, { name: 'c' }]);
  } finally {
    await db.destroy();
  }
});

test('SQLite failures carry SQLite names: a duplicate is SQLITE_CONSTRAINT_UNIQUE, a lock held past the busy timeout a storage fault', async () => {
  const file = path.join(tempDir(), 'probe.db');
  const { db } = probeDb(file);
  const other = openNodeSqlite(file);
  try {
    await sql`create table probe (id integer primary key, name text not null unique)`.execute(db);
    await db.insertInto('probe').values({ id: 1, name: 'a' }).execute();
    await assert.rejects(db.insertInto('probe').values({ id: 2, name: 'a' }).execute(), { code: 'SQLITE_CONSTRAINT_UNIQUE' });

    other.exec('begin immediate');
    const busy = await db.insertInto('probe').values({ id: 3, name: 'b' }).execute().then(() => undefined, (error: unknown) => error);
    assert.equal((busy as { code?: unknown }).code, 'SQLITE_BUSY');
    assert.equal(classifyDatabaseError(busy), 'storage');
  } finally {
    other.exec('rollback');
    other.close();
    await db.destroy();
  }
  assert.equal(sqliteCodeName(13), 'SQLITE_FULL');
  assert.equal(sqliteCodeName(266), 'SQLITE_IOERR');
  assert.equal(sqliteCodeName(14), 'SQLITE_CANTOPEN');
});

test('a rollback after SQLite already ended the transaction is a no-op, so the real error is the one reported', async () => {
  const { sqlite, db } = probeDb(path.join(tempDir(), 'probe.db'));
  try {
    await sql`create table probe (id integer primary key, name text not null)`.execute(db);
    // The transaction's statement ends it itself (as SQLite does on SQLITE_FULL), then fails.
    const failure = db.transaction().execute(async (tx) => {
      await tx.insertInto('probe').values({ id: 1, name: 'kept out' }).execute();
      await sql`rollback`.execute(tx);
      throw new Error('the real error');
    });
    await assert.rejects(failure, /the real error/);
    assert.deepEqual(await db.selectFrom('probe').selectAll().execute(), []);
    assert.doesNotThrow(() => sqlite.prepare('rollback').run([]));
  } finally {
    await db.destroy();
  }
});
