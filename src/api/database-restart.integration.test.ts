// PostgreSQL goes away while messages are accepted and delivered (every backend of this test
// terminated, new connections refused for a while, as in a restart or failover): the process
// stays up, /readyz says 503 then 200, the API answers 503 database_unavailable with
// Retry-After, the dispatcher resumes by itself, every accepted message is delivered and a
// client retrying with its Idempotency-Key never creates two messages.
import net from 'node:net';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../logger.ts';
import { openStore, type Store } from '../store/store.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { POSTGRES_URL, createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';

const hasPostgres = (await dialects()).includes('postgres');

/** A TCP door between Relais and PostgreSQL that the test can close (refusing new connections) and open again. */
interface Door {
  port: number;
  /** Refuses new connections. */
  close(): void;
  /** Drops every open connection at once. */
  cut(): void;
  open(): void;
  shutdown(): Promise<void>;
}

async function startDoor(target: { host: string; port: number }): Promise<Door> {
  let closed = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (closed) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      closed = true;
    },
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    open: () => {
      closed = false;
    },
    shutdown: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let smtp: SmtpFixture;
let t: TestApp;
let door: Door;
let store: Store;
let applicationName: string;
let schemaDb: TestDatabase;

before(async () => {
  if (!hasPostgres) return;
  smtp = await startSmtpFixture({ security: 'none' });
  const url = new URL(POSTGRES_URL);
  door = await startDoor({ host: url.hostname, port: Number(url.port || 5432) });
  // The test's schema, migrated directly; Relais reaches it through the door, under its own name.
  schemaDb = await createTestDatabase('postgres');
  const target = schemaDb.target;
  assert.equal(target.kind, 'postgres');
  applicationName = `${target.schema}_relais`;
  url.port = String(door.port);
  store = openStore({ kind: 'postgres', url: url.toString(), schema: target.schema, applicationName });
  t = await createTestApp({ env: { RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, RELAIS_SHUTDOWN_GRACE_SECONDS: '1' }, deps: { store, logger: createLogger(process.env.DBR_LOG ?? 'silent') } });
});
after(async () => {
  if (!hasPostgres) return;
  await t.close();
  await store.close();
  await schemaDb.drop();
  await door.shutdown();
  await smtp.close();
});

/** Terminates every PostgreSQL session of this test's Relais (and only those); returns how many. */
async function terminateBackends(): Promise<number> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    const result = await admin.query('select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = $1', [applicationName]);
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

async function send(key: string): Promise<{ statusCode: number; body: { id?: string; error?: { code: string } }; retryAfter?: string }> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/organizations/acme/messages',
    headers: { ...t.auth, 'idempotency-key': key },
    payload: { to: 'lea@example.org', subject: `message ${key}`, text: 'x' },
  });
  const retryAfter = response.headers['retry-after'];
  return { statusCode: response.statusCode, body: response.json(), ...(typeof retryAfter === 'string' ? { retryAfter } : {}) };
}

async function readyz(): Promise<number> {
  return (await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode;
}

test('PostgreSQL restarting under load: Relais stays up, says 503 while it is away, then delivers every accepted message once per key', { skip: hasPostgres ? false : 'PostgreSQL not available (required in CI)' }, async () => {
  await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
  t.app.relais.dispatcher.start();
  const accepted = new Map<string, string>();
  const statuses: number[] = [];

  // Before: messages flow.
  for (let i = 0; i < 5; i += 1) {
    const r = await send(`k${i}`);
    assert.equal(r.statusCode, 202);
    accepted.set(`k${i}`, r.body.id!);
  }
  assert.equal(await readyz(), 200);

  // The database goes away: no new connection gets through, every session is terminated.
  door.close();
  assert.ok((await terminateBackends()) >= 1, 'Relais had sessions to terminate');
  const during = await send('k5');
  statuses.push(during.statusCode);
  assert.equal(during.statusCode, 503);
  assert.equal(during.body.error?.code, 'database_unavailable');
  assert.equal(during.retryAfter, '5');
  assert.equal(await readyz(), 503);

  // It comes back: /readyz says so, the client's retry with the same key is accepted once.
  door.open();
  // /readyz reuses its answer for a second, then its probe (a retry-safe write) gets through.
  let ready = await readyz();
  for (let probe = 0; ready !== 200 && probe < 20; probe += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    ready = await readyz();
  }
  assert.equal(ready, 200);
  for (let i = 5; i < 10; i += 1) {
    let r = await send(`k${i}`);
    if (r.statusCode === 503) r = await send(`k${i}`);
    assert.ok(r.statusCode === 202 || r.statusCode === 200, `k${i}: ${r.statusCode}`);
    accepted.set(`k${i}`, r.body.id!);
  }
  // A second cut while the dispatcher is delivering.
  await terminateBackends();
  const again = await send('k5');
  if (again.statusCode !== 503) assert.equal(again.body.id, accepted.get('k5'), 'the same key names the same message');

  const mails = await smtp.waitForMessages(10, 20_000);
  const subjects = new Set(mails.map((m) => m.parsed.subject));
  for (const key of accepted.keys()) assert.ok(subjects.has(`message ${key}`), `${key} delivered`);
  // Reads after the cut run again on a fresh connection: the delivery log answers.
  const list = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/messages?limit=50', headers: t.auth });
  assert.equal(list.statusCode, 200, list.body);
  const rows = await store.db.selectFrom('messages').select(['id', 'idempotency_key']).execute();
  assert.equal(rows.length, 10, 'one message per Idempotency-Key');
  assert.equal(new Set(rows.map((r) => r.idempotency_key)).size, 10);
  const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /relais_database_errors_total\{kind="connection"\} [1-9]/);
});

test('a send that completed while the database was away is recorded when it returns, and not sent again', { skip: hasPostgres ? false : 'PostgreSQL not available (required in CI)' }, async () => {
  t.app.relais.dispatcher.start();
  const connectionFaults = async () => Number(/relais_database_errors_total\{kind="connection"\} (\d+)/.exec((await t.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1] ?? 0);
  const faultsBefore = await connectionFaults();
  const already = smtp.messages.length;
  const accepted = await send('away');
  assert.equal(accepted.statusCode, 202);
  const id = accepted.body.id!;
  // The relay has the message (it answers 250 right after): the database goes away before
  // Relais can record the outcome.
  await smtp.waitForMessages(already + 1, 20_000);
  door.close();
  door.cut();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  door.open();

  let status = '';
  for (let i = 0; i < 80 && status !== 'sent'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const r = await t.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages/${id}`, headers: t.auth });
    if (r.statusCode === 200) status = (r.json() as { status: string }).status;
  }
  assert.equal(status, 'sent', 'the outcome was recorded once the database returned');
  assert.ok((await connectionFaults()) > faultsBefore, 'recording the outcome met the database away');
  const [row] = await store.db.selectFrom('messages').select(['attempts', 'lease_owner']).where('id', '=', id).execute();
  assert.deepEqual(row, { attempts: 1, lease_owner: null });
  // Well past the dispatcher's backoff: the relay never got it a second time.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  assert.equal(smtp.messages.filter((m) => m.parsed.subject === 'message away').length, 1);
});
