// Two API processes on one PostgreSQL database (two apps on the same schema, as behind a load
// balancer) share the sign-in and flight-check limits: 5 failed sign-ins per address in all,
// not 5 each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../clock.ts';
import { createLogger } from '../logger.ts';
import { openStore, type Store } from '../store/store.ts';
import { dialects } from '../../test/support/databases.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { addMember } from '../../test/support/actors.ts';
import { createOrganization } from '../../test/support/relays.ts';
import { buildApp } from './app.ts';

const PASSWORD = 'correct horse battery';
const checkLimits = { perOrganization: 3, perUser: 3, windowMs: 3600_000 };
const onPostgres = (await dialects()).includes('postgres');

describe('limits across API processes (postgres)', { skip: !onPostgres && 'PostgreSQL not reachable (required in CI)' }, () => {
  const clock = new ManualClock();
  let t: TestApp;
  let otherStore: Store;
  let other: FastifyInstance;

  before(async () => {
    t = await createTestApp({ dialect: 'postgres', deps: { clock, checkLimits } });
    otherStore = openStore(t.db.target);
    other = await buildApp(t.config, { store: otherStore, clock, logger: createLogger('silent'), checkLimits });
    await createOrganization(t, 'acme');
    await addMember(t.app.relais, 'acme', 'lea', 'owner', { email: 'lea@acme.test', password: PASSWORD });
  });
  after(async () => {
    await other.close();
    await otherStore.close();
    await t.close();
  });

  test('10 parallel wrong passwords spread over two processes: 5 are evaluated, 5 get 429', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? t.app : other).inject({ method: 'POST', url: '/v1/sessions', payload: { email: 'lea@acme.test', password: `guess number ${i}` } }),
      ),
    );
    assert.deepEqual(answers.map((r) => r.statusCode).sort(), [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    for (const app of [t.app, other]) {
      const res = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { email: 'lea@acme.test', password: PASSWORD } });
      assert.equal(res.statusCode, 429);
      assert.equal(res.headers['retry-after'], String(15 * 60));
    }
    clock.advance(15 * 60_000);
    assert.equal((await other.inject({ method: 'POST', url: '/v1/sessions', payload: { email: 'lea@acme.test', password: PASSWORD } })).statusCode, 201);
  });

  test('flight checks of one organization count once across both processes', async () => {
    // A host the address guard refuses at once: the check runs (and counts) without connecting.
    const settings = { host: '127.0.0.1', port: 587, security: 'starttls', username: 'u@acme.test', password: 'secret-password', fromEmail: 'u@acme.test' };
    const check = (app: FastifyInstance) => app.inject({ method: 'POST', url: '/v1/organizations/acme/smtp-relay/check', headers: t.auth, payload: { settings } });
    for (const app of [t.app, other, t.app]) {
      const res = await check(app);
      assert.equal(res.statusCode, 200, res.body);
    }
    for (const app of [other, t.app]) {
      const refused = await check(app);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().error.code, 'rate_limited');
      assert.equal(refused.headers['retry-after'], '3600');
    }
  });
});
