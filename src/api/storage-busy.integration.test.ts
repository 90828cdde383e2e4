// Another connection holds SQLite's write lock beyond the busy timeout (a backup tool, a second
// process on the same file): sends are answered 503 storage_unavailable with Retry-After and a
// message that says what is wrong, /readyz says 503 while writes fail, reads still answer,
// nothing accepted before is lost, and sending resumes once the lock is let go.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { sql } from 'kysely';
import { createLogger } from '../logger.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { openStore, type Store } from '../store/store.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { tempDir } from '../../test/support/databases.ts';

let dir: string;
let store: Store;
let t: TestApp;

before(async () => {
  dir = tempDir('relais-busy-');
  store = openStore({ kind: 'sqlite', file: path.join(dir, 'relais.db') }, { busyTimeoutMs: 200 });
  await migrateToLatest(store);
  t = await createTestApp({ deps: { store, logger: createLogger('silent') } });
  await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
});
after(async () => {
  await t.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const send = (subject: string) =>
  t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', headers: t.auth, payload: { to: 'lea@example.org', subject, text: 'x' } });
const readyz = () => t.app.inject({ method: 'GET', url: '/readyz' });

test('a write lock held elsewhere beyond the busy timeout: 503 storage_unavailable with Retry-After, /readyz 503, nothing lost, sending resumes', async () => {
  const before: string[] = [];
  for (let i = 0; i < 2; i += 1) {
    const r = await send(`before ${i}`);
    assert.equal(r.statusCode, 202);
    before.push((r.json() as { id: string }).id);
  }
  assert.equal((await readyz()).statusCode, 200);

  const locker = new DatabaseSync(path.join(dir, 'relais.db'));
  locker.exec('begin immediate');
  try {
    const refused = await send('while locked');
    assert.equal(refused.statusCode, 503, refused.body);
    const body = refused.json() as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'storage_unavailable');
    assert.match(body.error.message, /cannot write to its database/);
    assert.match(body.error.message, /lock/);
    assert.equal(refused.headers['retry-after'], '5');

    const ready = await readyz();
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.headers['retry-after'], '5');
    assert.equal((ready.json() as { reason: string }).reason, 'database storage error');
    // Reads go on meanwhile.
    const read = await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages/${before[0]}`, headers: t.auth });
    assert.equal(read.statusCode, 200);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /relais_database_errors_total\{kind="storage"\} [1-9]/);
  } finally {
    locker.exec('rollback');
    locker.close();
  }

  let status = 0;
  for (let i = 0; i < 30 && status !== 200; i += 1) {
    await delay(100);
    status = (await readyz()).statusCode;
  }
  assert.equal(status, 200, '/readyz turns 200 once writes succeed again');
  const afterLock = await send('after');
  assert.equal(afterLock.statusCode, 202);
  const rows = await store.db.selectFrom('messages').select(['id', 'subject']).orderBy('created_at').execute();
  assert.deepEqual(
    rows.map((r) => r.subject),
    ['before 0', 'before 1', 'after'],
    'the two from before and the one after; none of the refused',
  );
  const [check] = (await sql<{ integrity_check: string }>`pragma integrity_check`.execute(store.db)).rows;
  assert.equal(check?.integrity_check, 'ok');
});
