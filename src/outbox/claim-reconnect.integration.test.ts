// The dispatcher's claim meets a dropped PostgreSQL connection (its backend terminated while the
// statement runs, as in a restart or failover): it runs again on a fresh connection and returns
// the messages it leased, instead of failing the dispatcher's turn.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../logger.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { terminateUnder } from '../../test/support/postgres-cut.ts';
import { claimMessages } from './sql/claim-messages.ts';
import { renewLeases } from './sql/renew-leases.ts';

const hasPostgres = (await dialects()).includes('postgres');
const skip = hasPostgres ? false : 'PostgreSQL not available (required in CI)';

let database: TestDatabase;
let schema: string;
let t: TestApp;

before(async () => {
  if (!hasPostgres) return;
  database = await createTestDatabase('postgres');
  assert.equal(database.target.kind, 'postgres');
  schema = database.target.schema!;
  t = await createTestApp({ deps: { store: database.store, logger: createLogger('silent') } });
  await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
});
after(async () => {
  if (!hasPostgres) return;
  await t.close();
  await database.drop();
});

const cut = () => ({ applicationName: schema, table: `${schema}.messages` });

test('a claim whose connection is terminated under it still returns its messages, leased once', { skip }, async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const sent = await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', headers: t.auth, payload: { to: 'lea@example.org', subject: `m${i}`, text: 'x' } });
    assert.equal(sent.statusCode, 202);
    ids.push((sent.json() as { id: string }).id);
  }
  const { db } = database.store;
  const now = Date.now();
  const claimed = await terminateUnder(cut(), () => claimMessages(db, database.store.capabilities, { owner: 'w1', now, leaseUntil: now + 60_000, limit: 10 }));
  assert.deepEqual(claimed.map((m) => m.id).sort(), [...ids].sort());
  const rows = await db.selectFrom('messages').select(['status', 'lease_owner', 'attempts']).execute();
  assert.deepEqual(rows, ids.map(() => ({ status: 'sending', lease_owner: 'w1', attempts: 1 })), 'the terminated try leased nothing; the retry leased each once');

  // A lease renewal is retried the same way.
  await terminateUnder(cut(), () => renewLeases(db, { owner: 'w1', ids, leaseUntil: now + 120_000 }));
  const renewed = await db.selectFrom('messages').select('lease_expires_at').execute();
  assert.deepEqual(renewed, ids.map(() => ({ lease_expires_at: now + 120_000 })));
});
