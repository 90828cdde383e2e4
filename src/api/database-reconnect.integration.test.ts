// PostgreSQL drops Relais's connections (pg_terminate_backend, as a restart or failover does)
// between requests and under a running query: reads answer 200 instead of 503, because such
// statements run again on a fresh connection; a transaction whose connection dropped is never
// continued on another one.
// (The claim: src/outbox/claim-reconnect.integration.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '../logger.ts';
import { openStore, type Store } from '../store/store.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { POSTGRES_URL, createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { terminateSessions, terminateUnder } from '../../test/support/postgres-cut.ts';

const hasPostgres = (await dialects()).includes('postgres');
const skip = hasPostgres ? false : 'PostgreSQL not available (required in CI)';

let database: TestDatabase;
let schema: string;
let t: TestApp;
let messageId: string;

before(async () => {
  if (!hasPostgres) return;
  database = await createTestDatabase('postgres');
  assert.equal(database.target.kind, 'postgres');
  schema = database.target.schema!;
  t = await createTestApp({ deps: { store: database.store, logger: createLogger('silent') } });
  await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
  const sent = await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', headers: t.auth, payload: { to: 'lea@example.org', subject: 'kept', text: 'x' } });
  assert.equal(sent.statusCode, 202);
  messageId = (sent.json() as { id: string }).id;
});
after(async () => {
  if (!hasPostgres) return;
  await t.close();
  await database.drop();
});

const cut = (applicationName: string) => ({ applicationName, table: `${schema}.messages` });

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth });

test('reads whose connection is terminated under them answer 200, not 503', { skip }, async () => {
  const one = await terminateUnder(cut(schema), () => get(`/v1/organizations/acme/messages/${messageId}`));
  assert.equal(one.statusCode, 200, one.body);
  assert.equal((one.json() as { id: string }).id, messageId);
  const list = await terminateUnder(cut(schema), () => get('/v1/organizations/acme/messages'));
  assert.equal(list.statusCode, 200, list.body);
  assert.equal((list.json() as { messages: unknown[] }).messages.length, 1);
  const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /relais_database_errors_total\{kind="connection"\} [1-9]/, 'each dropped connection is still counted');
});

test('reads right after every pooled connection was terminated answer 200', { skip }, async () => {
  for (let round = 0; round < 5; round += 1) {
    // Several connections in the pool, then all of them cut between two requests.
    await Promise.all([0, 1, 2, 3].map(() => get(`/v1/organizations/acme/messages/${messageId}`)));
    assert.ok((await terminateSessions(schema)) >= 1);
    const responses = await Promise.all([get(`/v1/organizations/acme/messages/${messageId}`), get('/v1/organizations/acme/messages'), t.app.inject({ method: 'GET', url: '/readyz' })]);
    for (const r of responses) assert.equal(r.statusCode, 200, `round ${round}: ${r.body}`);
  }
});

test('a transaction whose connection drops is not continued on another connection', { skip }, async () => {
  const before = await database.store.db.selectFrom('organizations').select('id').execute();
  const failed = await terminateUnder(cut(schema), () =>
    database.store.db.transaction().execute(async (tx) => {
      await tx.insertInto('organizations').values({ id: 'half', name: 'Half', locale: 'en', features: '{}', created_at: Date.now(), updated_at: Date.now() }).execute();
      // Its connection is terminated while this read waits.
      return tx.selectFrom('messages').select('id').execute();
    }),
  ).then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  assert.ok(failed, 'the transaction failed');
  assert.match(failed.message, /terminat/i);
  const after = await database.store.db.selectFrom('organizations').select('id').execute();
  assert.deepEqual(after, before, 'nothing of the transaction was committed');
});

test('with a pool of one connection, a retry gives the dropped connection back before taking a fresh one', { skip }, async () => {
  const name = `${schema}_one`;
  const small: Store = openStore({ kind: 'postgres', url: POSTGRES_URL, schema, applicationName: name }, { poolSize: 1 });
  try {
    const read = terminateUnder(cut(name), () => small.db.selectFrom('messages').select('id').execute());
    const rows = await Promise.race([read, delay(10_000).then(() => 'waited for the pool')]);
    assert.deepEqual(rows, [{ id: messageId }]);
  } finally {
    await small.close();
  }
});
