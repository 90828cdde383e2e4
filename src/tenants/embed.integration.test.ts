// Embedded sign-in: the platform gets a link, the browser exchanges it once for a session
// bound to that user and organization. Wrong, expired, reused and tampered links → 401.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { dialects } from '../../test/support/databases.ts';
import { addMember, sessionCookieFrom } from '../../test/support/actors.ts';
import { buildApp } from '../api/app.ts';
import { createLogger } from '../logger.ts';

for (const dialect of await dialects()) {
  describe(`embedded sign-in (${dialect})`, () => {
    let t: TestApp;
    const clock = new ManualClock();

    before(async () => {
      t = await createTestApp({ dialect, deps: { clock } });
      const { relais } = t.app;
      await relais.organizations.create({ id: 'acme', name: 'Acme' });
      await relais.organizations.create({ id: 'beta', name: 'Beta' });
      await addMember(relais, 'acme', 'lea', 'owner');
      await addMember(relais, 'beta', 'lea', 'owner');
    });
    after(async () => {
      await t.close();
    });

    async function link(organizationId = 'acme', userId = 'lea'): Promise<{ token: string; url: string; expiresAt: string }> {
      const res = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId, userId } });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    }
    const open = (token: string) => t.app.inject({ method: 'GET', url: `/embed?token=${encodeURIComponent(token)}` });
    const expectCode = (res: { statusCode: number; json(): { error: { code: string } } }, code: string) => {
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, code);
    };

    test('a link signs the member in to that organization only, then lands on the settings UI', async () => {
      const { token, url, expiresAt } = await link();
      assert.equal(url, `http://localhost:8080/embed?token=${encodeURIComponent(token)}`);
      assert.equal(expiresAt, new Date(clock.now() + 60_000).toISOString());

      const res = await open(token);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/?org=acme');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.match(String(res.headers['set-cookie']), /^relais_session=[\w-]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
      const cookie = sessionCookieFrom(res.headers['set-cookie']);

      const current = await t.app.inject({ method: 'GET', url: '/v1/sessions/current', headers: { cookie } });
      assert.equal(current.json().organizationId, 'acme');
      assert.deepEqual(current.json().memberships.map((m: { organizationId: string }) => m.organizationId), ['acme']);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/audit-log', headers: { cookie } })).statusCode, 200);
      const beta = await t.app.inject({ method: 'GET', url: '/v1/organizations/beta', headers: { cookie } });
      assert.equal(beta.statusCode, 404, 'bound to acme although lea also owns beta');
      assert.equal(beta.json().error.code, 'organization_not_found');
    });

    test('a link works once', async () => {
      const { token } = await link();
      assert.equal((await open(token)).statusCode, 303);
      const again = await open(token);
      expectCode(again, 'embed_token_used');
      assert.equal(again.headers['set-cookie'], undefined);
    });

    test('a link expires after 60 seconds', async () => {
      const { token } = await link();
      clock.advance(60_000);
      expectCode(await open(token), 'embed_token_expired');
      const fresh = await link();
      clock.advance(59_999);
      assert.equal((await open(fresh.token)).statusCode, 303);
    });

    test('wrong and tampered links are refused', async () => {
      expectCode(await open(''), 'embed_token_invalid');
      expectCode(await open('not-a-token'), 'embed_token_invalid');
      const { token } = await link();
      const [version, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, org: 'beta' })).toString('base64url');
      expectCode(await open(`${version}.${forged}.${signature}`), 'embed_token_invalid');
      const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
      expectCode(await open(`${version}.${payload}.${flipped}`), 'embed_token_invalid');
      expectCode(await open(`${version}.${payload}`), 'embed_token_invalid');
      assert.equal((await open(token)).statusCode, 303, 'the genuine token was not spent by the forgeries');
    });

    test('only members get links, and a removed member’s link stops working', async () => {
      const notMember = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: 'acme', userId: 'nobody' } });
      assert.equal(notMember.statusCode, 404);
      assert.equal(notMember.json().error.code, 'member_not_found');
      const noOrg = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: 'nowhere', userId: 'lea' } });
      assert.equal(noOrg.json().error.code, 'organization_not_found');
      const extra = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: 'acme', userId: 'lea', role: 'owner' } });
      assert.equal(extra.statusCode, 422);
      assert.equal(extra.json().error.code, 'unknown_field');

      await addMember(t.app.relais, 'acme', 'paul', 'member');
      const { token } = await link('acme', 'paul');
      await t.app.relais.members.remove('acme', 'paul', { kind: 'system', name: 'tests' });
      expectCode(await open(token), 'embed_token_invalid');
    });

    test('links stay valid across a restart and between processes sharing the database', async () => {
      const { token } = await link();
      const second = await buildApp(t.config, { store: t.db.store, clock, logger: createLogger('silent') });
      try {
        const res = await second.inject({ method: 'GET', url: `/embed?token=${encodeURIComponent(token)}` });
        assert.equal(res.statusCode, 303);
        expectCode(await open(token), 'embed_token_used');
      } finally {
        await second.close(); // leaves the shared store open: it belongs to the caller
      }
    });
  });
}

describe('embedded sign-in over HTTPS', () => {
  test('the cookie is SameSite=None; Secure; Partitioned so the page works in the platform’s iframe', async () => {
    const t = await createTestApp({ env: { RELAIS_PUBLIC_URL: 'https://relais.example.com' } });
    try {
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
      await addMember(t.app.relais, 'acme', 'lea', 'owner');
      const { url } = (await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: 'acme', userId: 'lea' } })).json();
      assert.match(url, /^https:\/\/relais\.example\.com\/embed\?token=/);
      const res = await t.app.inject({ method: 'GET', url: new URL(url).pathname + new URL(url).search });
      assert.equal(res.statusCode, 303);
      const attributes = String(res.headers['set-cookie']).split('; ').slice(1).filter((a) => !a.startsWith('Expires='));
      assert.deepEqual(attributes.sort(), ['HttpOnly', 'Partitioned', 'Path=/', 'SameSite=None', 'Secure']);
    } finally {
      await t.close();
    }
  });
});
