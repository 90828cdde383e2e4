// A SQLite database created before Relais set incremental auto-vacuum keeps freed pages until
// `relais migrate --compact` converts it; after that, pruning hands pages back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { sql } from 'kysely';
import { tempDir } from '../../test/support/databases.ts';
import { enableIncrementalVacuum, reclaimFreePages } from './reclaim-space.ts';
import { openStore } from './store.ts';

test('an older SQLite database is converted once by --compact, then gives freed pages back', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'relais.db');
  // As an earlier version left it: no auto-vacuum, a table with rows since deleted.
  const old = new DatabaseSync(file);
  old.exec('pragma journal_mode = WAL');
  old.exec("create table notes (body text); insert into notes select printf('%.10000c', 'x') from (with recursive n(i) as (select 1 union all select i + 1 from n where i < 300) select i from n); delete from notes;");
  old.close();
  const store = openStore({ kind: 'sqlite', file });
  try {
    const mode = async () => Number((await sql.raw<{ auto_vacuum: number }>('pragma auto_vacuum').execute(store.db)).rows[0]?.auto_vacuum);
    assert.equal(await mode(), 0, 'opening does not rewrite an existing database');
    assert.equal((await reclaimFreePages(store, 5000)).pages, 0, 'without incremental mode the pages stay for reuse');
    assert.equal(await enableIncrementalVacuum(store), true);
    assert.equal(await mode(), 2);
    await sql.raw("insert into notes select printf('%.10000c', 'y') from (with recursive n(i) as (select 1 union all select i + 1 from n where i < 300) select i from n)").execute(store.db);
    await sql.raw('delete from notes').execute(store.db);
    const { pages, freePagesLeft } = await reclaimFreePages(store, 5000);
    assert.ok(pages > 500, `${pages} pages handed back`);
    assert.equal(freePagesLeft, 0);
    assert.equal(await enableIncrementalVacuum(store), false, 'nothing to do the second time');
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
