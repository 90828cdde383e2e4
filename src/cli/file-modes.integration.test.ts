// The embedded data dir is private: the directory 0700, the database and its WAL and
// shared-memory files 0600 — new ones created so, older readable ones tightened with a warning.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { tempDir } from '../../test/support/databases.ts';
import { openMigratedStore } from './runtime.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/relais.mjs');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = tempDir('relais-modes-');
  dirs.push(d);
  return d;
}

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8).padStart(4, '0');

test('a fresh data dir: directory 0700, relais.db and its -wal and -shm 0600', async () => {
  const dataDir = path.join(scratch(), 'relais-data');
  const store = await openMigratedStore(loadConfig({ RELAIS_DATA_DIR: dataDir }));
  try {
    await store.db.insertInto('server_secrets').values({ name: 'probe', value: 'x', created_at: 1 }).execute();
    const db = path.join(dataDir, 'relais.db');
    assert.equal(modeOf(dataDir), '0700');
    assert.equal(modeOf(db), '0600');
    assert.equal(modeOf(`${db}-wal`), '0600', 'SQLite created the WAL with the database file mode');
    assert.equal(modeOf(`${db}-shm`), '0600');
  } finally {
    await store.close();
  }
});

test('`relais migrate` on a fresh data dir, under a permissive umask, leaves nothing readable by others', () => {
  const dataDir = path.join(scratch(), 'relais-data');
  execFileSync('sh', ['-c', `umask 000 && exec "${process.execPath}" "${BIN}" migrate`], {
    env: { PATH: process.env.PATH ?? '', RELAIS_DATA_DIR: dataDir },
    stdio: 'pipe',
  });
  assert.equal(modeOf(dataDir), '0700');
  assert.equal(modeOf(path.join(dataDir, 'relais.db')), '0600');
});

test('a data dir and database left readable by an older version are tightened, and the log says so', async () => {
  const dataDir = path.join(scratch(), 'relais-data');
  fs.mkdirSync(dataDir, { mode: 0o755 });
  fs.chmodSync(dataDir, 0o755);
  const db = path.join(dataDir, 'relais.db');
  // Another connection keeps the WAL and shared-memory files in place, as a running or crashed process would.
  fs.closeSync(fs.openSync(db, 'w', 0o644));
  fs.chmodSync(db, 0o644);
  const other = new DatabaseSync(db);
  other.exec('pragma journal_mode = WAL');
  other.exec('create table probe (x)');
  other.exec('insert into probe values (1)');
  for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.chmodSync(f, 0o644);

  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const store = await openMigratedStore(loadConfig({ RELAIS_DATA_DIR: dataDir }), logger);
  try {
    assert.equal(modeOf(dataDir), '0700');
    for (const f of [db, `${db}-wal`, `${db}-shm`]) assert.equal(modeOf(f), '0600', f);
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    for (const f of [dataDir, db, `${db}-wal`, `${db}-shm`]) {
      assert.ok(warnings.some((w) => w.msg.startsWith(`${f} was readable by other accounts`)), `a warning names ${f}: ${lines.join('')}`);
    }
  } finally {
    await store.close();
    other.close();
  }
});

test('a shared directory such as /tmp (sticky) is reported, never changed', async () => {
  const shared = scratch();
  fs.chmodSync(shared, 0o1777);
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const store = await openMigratedStore(loadConfig({ RELAIS_DATA_DIR: shared }), logger);
  try {
    assert.equal((fs.statSync(shared).mode & 0o7777).toString(8), '1777');
    assert.equal(modeOf(path.join(shared, 'relais.db')), '0600');
    assert.match(lines.join(''), /is readable by other accounts \(mode 0777\) and is not Relais's own to change/);
  } finally {
    await store.close();
  }
});
