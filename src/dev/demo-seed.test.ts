// Demo seeding: an owner, an admin and a member whose printed logins work; a second start
// creates nothing and prints no password again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp } from '../../test/support/app.ts';
import { DEMO_USERS, seedDemo } from './demo-seed.ts';

test('the demo seeds three people whose printed logins sign in with their roles', async () => {
  const t = await createTestApp({ env: { RELAIS_DEMO: 'true' } });
  try {
    const lines = await seedDemo(t.app.relais);
    const logins = lines.flatMap((l) => {
      const m = /^\s+(\w+)\s+(\S+@demo\.test) \/ (\S+)$/.exec(l);
      return m?.[1] && m[2] && m[3] ? [{ role: m[1], email: m[2], password: m[3] }] : [];
    });
    assert.deepEqual(logins.map((l) => [l.role, l.email]), DEMO_USERS.map((u) => [u.role, u.email]));
    for (const login of logins) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { email: login.email, password: login.password } });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json().memberships, [{ organizationId: 'demo', organizationName: 'Centre de formation Démo', role: login.role }]);
    }

    const again = await seedDemo(t.app.relais);
    assert.ok(again.some((l) => l.includes('passwords were printed at the first start')));
    assert.ok(!again.some((l) => logins.some((login) => l.includes(login.password))));
    assert.equal((await t.app.relais.members.list('demo')).length, 3);
  } finally {
    await t.close();
  }
});
