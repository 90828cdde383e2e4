// `relais start` before its database (a container started before PostgreSQL): it says it is
// waiting, retries, and starts once the database answers; or, after
// RELAIS_DATABASE_WAIT_SECONDS, exits with a one-line explanation.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSecretKey } from '../../src/secrets/key-ring.ts';
import { POSTGRES_URL, createTestDatabase, dialects, tempDir, type TestDatabase } from '../support/databases.ts';
import { freePort, waitUntil } from '../support/process.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/relais.mjs');
const hasPostgres = (await dialects()).includes('postgres');
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function run(env: Record<string, string>) {
  const port = env.RELAIS_PORT!;
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      RELAIS_DATA_DIR: tempDir('relais-wait-'),
      RELAIS_HOST: '127.0.0.1',
      RELAIS_PLATFORM_SMTP_URL: 'smtp://127.0.0.1:2525',
      RELAIS_SECRET_KEY: generateSecretKey(),
      RELAIS_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => void child.kill('SIGKILL'));
  return { child, exited, output: () => out + err, stderr: () => err, base: `http://127.0.0.1:${port}` };
}

test('no database within RELAIS_DATABASE_WAIT_SECONDS: relais says it waits, then exits 1 with one line saying why', async () => {
  const closed = await freePort();
  const started = Date.now();
  const relais = run({
    RELAIS_PORT: String(await freePort()),
    RELAIS_DATABASE_URL: `postgres://relais:not-this-password@127.0.0.1:${closed}/relais`,
    RELAIS_DATABASE_WAIT_SECONDS: '2',
  });
  const code = await relais.exited;
  const elapsed = Date.now() - started;
  assert.equal(code, 1, relais.output());
  assert.match(relais.output(), new RegExp(`waiting for the database at 127.0.0.1:${closed} \\(ECONNREFUSED\\); retrying for up to 2 s`));
  const last = relais.stderr().trim().split('\n').at(-1) ?? '';
  assert.equal(last, `relais: the database at 127.0.0.1:${closed} did not answer within 2 s (ECONNREFUSED); check RELAIS_DATABASE_URL and that the database is running, or raise RELAIS_DATABASE_WAIT_SECONDS.`);
  assert.ok(elapsed >= 2000 && elapsed < 15_000, `exited after ${elapsed} ms`);
  assert.ok(!relais.output().includes('not-this-password'), 'the URL password is never printed');
});

test('the database arrives while relais waits: it starts and is ready', { skip: hasPostgres ? false : 'PostgreSQL not available (required in CI)' }, async () => {
  const db: TestDatabase = await createTestDatabase('postgres');
  cleanups.push(() => db.drop());
  assert.equal(db.target.kind, 'postgres');
  const schema = db.target.kind === 'postgres' ? db.target.schema! : '';
  const dbPort = await freePort();
  const url = new URL(POSTGRES_URL);
  const httpPort = await freePort();
  const relais = run({
    RELAIS_PORT: String(httpPort),
    RELAIS_DATABASE_URL: `postgres://${url.username}@127.0.0.1:${dbPort}${url.pathname}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    RELAIS_DATABASE_WAIT_SECONDS: '60',
  });
  await waitUntil(() => relais.output().includes('waiting for the database'), 15_000, 'relais to say it waits');
  // The database comes up: a door to the shared PostgreSQL opens on the port relais tries.
  const door = net.createServer((client) => {
    const upstream = net.connect(Number(url.port || 5432), url.hostname);
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => door.listen(dbPort, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => door.close(() => resolve())));
  await waitUntil(async () => (await fetch(`${relais.base}/readyz`)).ok, 20_000, 'relais to be ready');
  assert.match(relais.output(), /the database answers; starting/);
  relais.child.kill('SIGTERM');
  await relais.exited;
});
