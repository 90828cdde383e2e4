// Members managed by the platform, the feature flag switched by owners, and the audit log
// recording who changed what — on every dialect.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { dialects } from '../../test/support/databases.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { addMember, sessionHeaders } from '../../test/support/actors.ts';
import { recordAudit } from './audit.repository.ts';

for (const dialect of await dialects()) {
  describe(`members, feature flag and audit log (${dialect})`, () => {
    let t: TestApp;
    let apiKeyId: string;
    const clock = new ManualClock();

    before(async () => {
      t = await createTestApp({ dialect, deps: { clock } });
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
      await t.app.relais.organizations.create({ id: 'beta', name: 'Beta' });
      apiKeyId = (await t.app.relais.apiKeys.list())[0]?.id ?? '';
    });
    after(async () => {
      await t.close();
    });

    const put = (orgId: string, userId: string, payload: object) =>
      t.app.inject({ method: 'PUT', url: `/v1/organizations/${orgId}/members/${userId}`, headers: t.auth, payload });
    const auditLog = async (orgId: string, query = '') => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/organizations/${orgId}/audit-log${query}`, headers: t.auth });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { entries: { action: string; actor: { kind: string; id: string; label: string }; target: string; details: Record<string, unknown>; at: string }[]; nextCursor: string | null };
    };

    test('PUT creates (201) then updates (200) a member; users are shared across organizations', async () => {
      const created = await put('acme', 'u-1', { email: 'Camille@Example.test', name: 'Camille', role: 'member' });
      assert.equal(created.statusCode, 201, created.body);
      assert.deepEqual(
        { ...(created.json() as object), createdAt: undefined, updatedAt: undefined },
        { userId: 'u-1', organizationId: 'acme', email: 'camille@example.test', name: 'Camille', role: 'member', canSignInWithPassword: false, createdAt: undefined, updatedAt: undefined },
      );
      clock.advance(1000);
      const updated = await put('acme', 'u-1', { email: 'camille@example.test', name: 'Camille Durand', role: 'owner' });
      assert.equal(updated.statusCode, 200);
      assert.equal(updated.json().role, 'owner');
      assert.equal((await put('beta', 'u-1', { email: 'camille@example.test', name: 'Camille Durand', role: 'admin' })).statusCode, 201);

      const list = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/members', headers: t.auth });
      assert.deepEqual(list.json().members.map((m: { userId: string; role: string }) => [m.userId, m.role]), [['u-1', 'owner']]);
      const beta = await t.app.inject({ method: 'GET', url: '/v1/organizations/beta/members', headers: t.auth });
      assert.deepEqual(beta.json().members.map((m: { userId: string; role: string; name: string }) => [m.userId, m.role, m.name]), [['u-1', 'admin', 'Camille Durand']]);
    });

    test('bad input is refused with stable codes', async () => {
      const cases: [object, number, string][] = [
        [{ email: 'not-an-address', name: 'X', role: 'member' }, 422, 'validation_failed'],
        [{ email: 'x@example.test', name: 'X', role: 'superuser' }, 422, 'validation_failed'],
        [{ email: 'x@example.test', name: 'X\u0007', role: 'member' }, 422, 'validation_failed'],
        [{ email: 'x@example.test', name: '', role: 'member' }, 422, 'validation_failed'],
        [{ email: 'x@example.test', name: 'x'.repeat(201), role: 'member' }, 422, 'validation_failed'],
        [{ email: 'x@example.test', name: 'X', role: 'member', password: 'short' }, 422, 'validation_failed'],
        [{ email: 'x@example.test', name: 'X', role: 'member', isOwner: true }, 422, 'unknown_field'],
        [{ email: 'camille@example.test', name: 'X', role: 'member' }, 409, 'email_taken'],
      ];
      for (const [payload, status, code] of cases) {
        const res = await put('acme', 'u-2', payload);
        assert.equal(res.statusCode, status, JSON.stringify(payload));
        assert.equal(res.json().error.code, code, JSON.stringify(payload));
      }
      assert.equal((await put('acme', 'bad id!', { email: 'y@example.test', name: 'Y', role: 'member' })).statusCode, 422);
      const noOrg = await put('nowhere', 'u-2', { email: 'y@example.test', name: 'Y', role: 'member' });
      assert.equal(noOrg.statusCode, 404);
      assert.equal(noOrg.json().error.code, 'organization_not_found');
      const missing = await t.app.inject({ method: 'DELETE', url: '/v1/organizations/acme/members/u-nobody', headers: t.auth });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.code, 'member_not_found');
    });

    test('role escalation: people cannot change members or roles, their own included', async () => {
      await addMember(t.app.relais, 'acme', 'u-admin', 'admin');
      const admin = await sessionHeaders(t.app.relais, 'u-admin');
      const promote = await t.app.inject({
        method: 'PUT',
        url: '/v1/organizations/acme/members/u-admin',
        headers: admin,
        payload: { email: 'u-admin@example.test', name: 'u-admin', role: 'owner' },
      });
      assert.equal(promote.statusCode, 403);
      assert.equal(promote.json().error.code, 'forbidden');
      const owner = await sessionHeaders(t.app.relais, 'u-1');
      const byOwner = await t.app.inject({
        method: 'PUT',
        url: '/v1/organizations/acme/members/u-admin',
        headers: owner,
        payload: { email: 'u-admin@example.test', name: 'u-admin', role: 'owner' },
      });
      assert.equal(byOwner.statusCode, 403);
      assert.equal(await t.app.relais.members.roleOf('acme', 'u-admin'), 'admin');
      // An owner of acme is nobody in an organization they do not belong to.
      const elsewhere = await t.app.inject({ method: 'PATCH', url: '/v1/organizations/beta', headers: await sessionHeaders(t.app.relais, 'u-admin'), payload: { features: { customSmtp: true } } });
      assert.equal(elsewhere.statusCode, 404);
    });

    test('owners switch the feature flag but cannot rename; the platform can; both are audited', async () => {
      const owner = await sessionHeaders(t.app.relais, 'u-1');
      const on = await t.app.inject({ method: 'PATCH', url: '/v1/organizations/acme', headers: owner, payload: { features: { customSmtp: true } } });
      assert.equal(on.statusCode, 200, on.body);
      assert.equal(on.json().features.customSmtp, true);
      const rename = await t.app.inject({ method: 'PATCH', url: '/v1/organizations/acme', headers: owner, payload: { name: 'Mine now', features: { customSmtp: false } } });
      assert.equal(rename.statusCode, 403);
      assert.equal((await t.app.relais.organizations.get('acme')).features.customSmtp, true, 'a refused request changes nothing');
      const unchanged = await t.app.inject({ method: 'PATCH', url: '/v1/organizations/acme', headers: owner, payload: { features: { customSmtp: true } } });
      assert.equal(unchanged.statusCode, 200);
      clock.advance(1000);
      const byPlatform = await t.app.inject({ method: 'PATCH', url: '/v1/organizations/acme', headers: t.auth, payload: { name: 'Acme Formation', features: { customSmtp: false } } });
      assert.equal(byPlatform.statusCode, 200);

      const { entries } = await auditLog('acme');
      // The platform's PATCH recorded the flag, then the name, in one transaction.
      assert.deepEqual(entries.slice(0, 3).map((e) => e.action), ['organization.updated', 'features.updated', 'features.updated']);
      const flagEntries = entries.filter((e) => e.action === 'features.updated');
      assert.equal(flagEntries.length, 2, 'a PATCH that changes nothing records nothing');
      assert.deepEqual(flagEntries[0]?.details, { customSmtp: { from: true, to: false } });
      assert.deepEqual(flagEntries[0]?.actor, { kind: 'api_key', id: apiKeyId, label: 'tests' });
      assert.deepEqual(flagEntries[1]?.details, { customSmtp: { from: false, to: true } });
      assert.deepEqual(flagEntries[1]?.actor, { kind: 'user', id: 'u-1', label: 'camille@example.test' });
      const nameEntry = entries.find((e) => e.action === 'organization.updated');
      assert.deepEqual(nameEntry?.details, { name: { from: 'Acme', to: 'Acme Formation' } });
    });

    test('member changes are audited, newest first, with a cursor; secrets never appear', async () => {
      await put('acme', 'u-3', { email: 'sam@example.test', name: 'Sam', role: 'owner', password: 'sam secret passphrase' });
      clock.advance(1000);
      await put('acme', 'u-3', { email: 'sam@example.test', name: 'Sam', role: 'member' });
      clock.advance(1000);
      assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/organizations/acme/members/u-3', headers: t.auth })).statusCode, 204);
      await recordAudit(t.db.store.db, {
        organizationId: 'acme',
        actor: { kind: 'system', name: 'tests' },
        action: 'relay.saved',
        target: 'smtp-relay',
        details: { host: 'smtp.example.com', password: 'hunter2', auth: { clientSecret: 'abc' } },
        at: clock.now() + 1,
      });

      const page1 = await auditLog('acme', '?limit=3');
      assert.deepEqual(page1.entries.map((e) => [e.action, e.target]), [
        ['relay.saved', 'smtp-relay'],
        ['member.removed', 'user:u-3'],
        ['member.role_changed', 'user:u-3'],
      ]);
      assert.deepEqual(page1.entries[0]?.details, { host: 'smtp.example.com', password: '[redacted]', auth: { clientSecret: '[redacted]' } });
      assert.deepEqual(page1.entries[1]?.details, { email: 'sam@example.test', role: 'member' });
      assert.deepEqual(page1.entries[2]?.details, { email: 'sam@example.test', from: 'owner', to: 'member' });
      assert.ok(page1.nextCursor);
      const page2 = await auditLog('acme', `?limit=3&cursor=${page1.nextCursor}`);
      assert.equal(page2.entries[0]?.action, 'member.added');
      assert.deepEqual(page2.entries[0]?.details, { email: 'sam@example.test', role: 'owner' });
      const everything = JSON.stringify((await auditLog('acme', '?limit=200')).entries);
      assert.doesNotMatch(everything, /sam secret passphrase|hunter2|scrypt/);

      const beta = await auditLog('beta');
      assert.ok(beta.entries.every((e) => !e.target?.includes('u-3')), 'one organization’s log holds only its own changes');
      const unknown = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/audit-log?since=yesterday', headers: t.auth });
      assert.equal(unknown.json().error.code, 'unknown_field');
      const badCursor = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/audit-log?cursor=abc', headers: t.auth });
      assert.equal(badCursor.statusCode, 422);
      assert.equal(badCursor.json().error.code, 'invalid_cursor');
    });
  });
}
