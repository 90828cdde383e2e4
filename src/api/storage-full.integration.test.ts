// The disk under SQLite fills up: sends are answered 507 insufficient_storage with Retry-After
// (not 500), the log shows SQLite's real error (not a failed rollback), /readyz says 503, a
// metric counts it, nothing accepted before is lost, and acceptance resumes by itself once
// space is freed. /readyz follows a real write (and the free space), not the last failed send.
// On a real small filesystem (tmpfs) where the machine lets the test mount one; elsewhere a
// Kysely plugin makes writes fail with SQLITE_FULL.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin } from 'kysely';
import { createLogger } from '../logger.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { openStore, type Store } from '../store/store.ts';
import { ReadinessProbe } from '../store/readiness.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { tempDir } from '../../test/support/databases.ts';

let dir: string;
let mounted = false;
let store: Store;
let t: TestApp;
const logs: string[] = [];
/** Fallback without a mount: while true, every write fails as SQLite does on a full disk. */
let injectFull = false;

function fullDiskPlugin(): KyselyPlugin {
  return {
    transformQuery(args) {
      if (injectFull && ['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode'].includes(args.node.kind)) {
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

before(async () => {
  dir = tempDir('relais-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', dir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
  const opened = openStore({ kind: 'sqlite', file: path.join(dir, 'relais.db') }, { faultHoldMs: 300 });
  if (mounted) store = opened;
  else {
    const db = opened.db.withPlugin(fullDiskPlugin());
    store = { ...opened, db, readiness: new ReadinessProbe({ db, faults: opened.faults }) };
  }
  await migrateToLatest(store);
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  t = await createTestApp({ deps: { store, logger: createLogger('info', destination) } });
  await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
});
after(async () => {
  await t.close();
  await store.close();
  if (mounted) execFileSync('umount', [dir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const filler = () => path.join(dir, 'filler');

/** Takes every free byte of the small filesystem. */
function fillDisk(): void {
  if (!mounted) {
    injectFull = true;
    return;
  }
  const fd = fs.openSync(filler(), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  // Smaller pieces too, down to the last block.
  const small = Buffer.alloc(512, 1);
  const fd2 = fs.openSync(`${filler()}2`, 'w');
  try {
    for (;;) fs.writeSync(fd2, small);
  } catch {
    // full
  } finally {
    fs.closeSync(fd2);
  }
}

function freeDisk(): void {
  injectFull = false;
  fs.rmSync(filler(), { force: true });
  fs.rmSync(`${filler()}2`, { force: true });
}

function send(subject: string) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/organizations/acme/messages',
    headers: t.auth,
    // Big enough to need fresh pages in the database.
    payload: { to: 'lea@example.org', subject, text: 'x'.repeat(200_000) },
  });
}

test('a full disk under SQLite: 507 with Retry-After, /readyz 503, the real error logged, nothing lost, acceptance resumes once space is freed', async (context) => {
  context.diagnostic(mounted ? 'on a 6 MB tmpfs' : 'tmpfs not mountable here: SQLITE_FULL injected by a Kysely plugin');
  const before: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const r = await send(`before ${i}`);
    assert.equal(r.statusCode, 202);
    before.push((r.json() as { id: string }).id);
  }
  fillDisk();
  // /readyz sees the full disk before any send has failed: its probe writes.
  const early = await t.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(early.statusCode, 503, early.body);
  assert.equal((early.json() as { reason: string }).reason, 'database disk full');
  const refused = await send('while full');
  assert.equal(refused.statusCode, 507, refused.body);
  const body = refused.json() as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'insufficient_storage');
  assert.match(body.error.message, /disk is full/);
  assert.equal(refused.headers['retry-after'], '5');
  const again = await send('while full, again');
  assert.equal(again.statusCode, 507);

  const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.equal((ready.json() as { reason: string }).reason, 'database disk full');
  const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /relais_database_errors_total\{kind="full"\} [2-9]/);
  const logged = logs.join('');
  assert.match(logged, /database or disk is full|SQLITE_FULL/);
  assert.doesNotMatch(logged, /cannot rollback/);
  assert.equal(logs.filter((l) => l.includes('database disk full')).length, 1, 'logged once per incident');

  // Still full long after the last failed send (the incident's hold time is 300 ms here):
  // /readyz still says 503, as long as writes fail.
  await delay(1500);
  const still = await t.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(still.statusCode, 503, still.body);

  freeDisk();
  // Its answer is reused for a second: 200 within about that once space is back.
  let readyz = { statusCode: 0, body: '' };
  for (let i = 0; i < 50 && readyz.statusCode !== 200; i += 1) {
    await delay(100);
    readyz = await t.app.inject({ method: 'GET', url: '/readyz' });
  }
  assert.equal(readyz.statusCode, 200, readyz.body);
  const after = await send('after');
  assert.equal(after.statusCode, 202);

  for (const id of before) {
    const r = await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages/${id}`, headers: t.auth });
    assert.equal(r.statusCode, 200);
  }
  const rows = await store.db.selectFrom('messages').select('id').execute();
  assert.equal(rows.length, 4, 'the three from before and the one after; none of the refused');
  const [check] = await import('kysely').then(({ sql }) => sql<{ integrity_check: string }>`pragma integrity_check`.execute(store.db)).then((r) => r.rows);
  assert.equal(check?.integrity_check, 'ok');
});
