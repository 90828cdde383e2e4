// Which statements may run again on a fresh connection after theirs dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type CompiledQuery } from 'kysely';
import type { Database } from './schema.ts';
import { RETRY_SAFE, isRetrySafe } from './reconnecting-driver.ts';

const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const cases: [string, CompiledQuery, boolean][] = [
  ['a read', db.selectFrom('messages').select('id').where('id', '=', 'm1').compile(), true],
  ['a write', db.updateTable('messages').set({ status: 'queued' }).where('id', '=', 'm1').compile(), false],
  ['an insert', db.insertInto('readiness_probe').values({ id: 1, written_at: 0 }).compile(), false],
  ['a write marked retry-safe', db.updateTable('messages').set({ lease_expires_at: 1 }).where('id', '=', 'm1').returningAll().modifyEnd(RETRY_SAFE).compile(), true],
  ['raw SQL', sql`select pg_notify('outbox', '')`.compile(db), false],
];

test('reads and writes marked retry-safe may run again after a dropped connection; other statements may not', () => {
  for (const [name, query, safe] of cases) assert.equal(isRetrySafe(query), safe, name);
});
