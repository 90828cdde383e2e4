// Sign-in with email and password, the current session, sign-out, CSRF, rate limiting,
// expiry, and sessions ending when a member is demoted or removed — on every dialect.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { dialects } from '../../test/support/databases.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { addMember, sessionCookieFrom, sessionHeaders } from '../../test/support/actors.ts';
import { HASH_CONCURRENCY, hashActivity, hashPassword, resetHashPeak } from './password.ts';

const PASSWORD = 'correct horse battery';

for (const dialect of await dialects()) {
  describe(`sessions (${dialect})`, () => {
    let t: TestApp;
    const clock = new ManualClock();

    before(async () => {
      // Behind one reverse proxy, so that X-Forwarded-For names the client (per-IP limits).
      t = await createTestApp({ dialect, env: { RELAIS_TRUST_PROXY: '1' }, deps: { clock } });
      const { relais } = t.app;
      await relais.organizations.create({ id: 'acme', name: 'Acme Formation' });
      await relais.organizations.create({ id: 'beta', name: 'Beta Learning' });
      await addMember(relais, 'acme', 'lea', 'owner', { email: 'Lea@Acme.test', name: 'Léa Martin', password: PASSWORD });
      await addMember(relais, 'beta', 'lea', 'member', { email: 'lea@acme.test', name: 'Léa Martin' });
    });
    after(async () => {
      await t.close();
    });

    const signIn = (payload: object, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url: '/v1/sessions', payload, headers });

    test('signs in, shows the session with its memberships and CSRF token, signs out', async () => {
      const res = await signIn({ email: 'lea@acme.test', password: PASSWORD });
      assert.equal(res.statusCode, 201, res.body);
      const setCookie = String(res.headers['set-cookie']);
      assert.match(setCookie, /^relais_session=[\w-]{43}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
      const body = res.json();
      assert.deepEqual(body.user, { id: 'lea', email: 'lea@acme.test', name: 'Léa Martin' });
      assert.deepEqual(body.memberships, [
        { organizationId: 'acme', organizationName: 'Acme Formation', role: 'owner' },
        { organizationId: 'beta', organizationName: 'Beta Learning', role: 'member' },
      ]);
      assert.equal(body.organizationId, null);
      assert.equal(body.expiresAt, new Date(clock.now() + 7 * 24 * 3600_000).toISOString());
      const cookie = sessionCookieFrom(res.headers['set-cookie']);

      const current = await t.app.inject({ method: 'GET', url: '/v1/sessions/current', headers: { cookie } });
      assert.equal(current.statusCode, 200);
      assert.equal(current.json().csrfToken, body.csrfToken);
      // An owner of acme reads acme's delivery log; a member of beta does not read beta's.
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/messages', headers: { cookie } })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/organizations/beta/messages', headers: { cookie } })).statusCode, 403);

      const out = await t.app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: { cookie, 'x-csrf-token': body.csrfToken } });
      assert.equal(out.statusCode, 204);
      assert.match(String(out.headers['set-cookie']), /^relais_session=; .*Expires=Thu, 01 Jan 1970/);
      const gone = await t.app.inject({ method: 'GET', url: '/v1/sessions/current', headers: { cookie } });
      assert.equal(gone.statusCode, 401);
      assert.equal(gone.json().error.code, 'unauthenticated');
    });

    test('a sign-in naming an organization is limited to it', async () => {
      const res = await signIn({ email: 'lea@acme.test', password: PASSWORD, organizationId: 'beta' });
      assert.equal(res.statusCode, 201);
      assert.equal(res.json().organizationId, 'beta');
      assert.deepEqual(res.json().memberships.map((m: { organizationId: string }) => m.organizationId), ['beta']);
      const cookie = sessionCookieFrom(res.headers['set-cookie']);
      const acme = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme', headers: { cookie } });
      assert.equal(acme.statusCode, 404);
      assert.equal(acme.json().error.code, 'organization_not_found');
      const notMember = await signIn({ email: 'lea@acme.test', password: PASSWORD, organizationId: 'nowhere' });
      assert.equal(notMember.statusCode, 404);
      assert.equal(notMember.json().error.code, 'organization_not_found');
    });

    test('wrong password and unknown address fail alike; the 6th failure within 15 minutes is rate limited', async () => {
      const wrong = await signIn({ email: 'lea@acme.test', password: 'not the password' });
      const unknown = await signIn({ email: 'nobody@acme.test', password: 'not the password' });
      assert.equal(wrong.statusCode, 401);
      assert.deepEqual(wrong.json(), unknown.json());
      assert.equal(wrong.json().error.code, 'invalid_credentials');
      assert.equal(wrong.headers['set-cookie'], undefined);

      const email = 'target@acme.test';
      await addMember(t.app.relais, 'acme', 'target', 'member', { email, password: PASSWORD });
      for (let i = 1; i <= 5; i++) {
        const res = await signIn({ email, password: `guess number ${i}` });
        assert.equal(res.statusCode, 401, `attempt ${i}`);
        clock.advance(1000);
      }
      const sixth = await signIn({ email, password: PASSWORD });
      assert.equal(sixth.statusCode, 429);
      assert.equal(sixth.json().error.code, 'rate_limited');
      // The first failure leaves the 15-minute window 15 min − 5 s from now.
      assert.equal(sixth.headers['retry-after'], String(15 * 60 - 5));
      clock.advance((15 * 60 - 5) * 1000);
      const later = await signIn({ email, password: PASSWORD });
      assert.equal(later.statusCode, 201);
    });

    test('the per-IP limit stops guessing across many addresses', async () => {
      const ip = { 'x-forwarded-for': '203.0.113.9' };
      for (let i = 0; i < 20; i++) assert.equal((await signIn({ email: `spray-${i}@acme.test`, password: 'x' }, ip)).statusCode, 401);
      const blocked = await signIn({ email: 'lea@acme.test', password: PASSWORD }, ip);
      assert.equal(blocked.statusCode, 429);
      assert.equal((await signIn({ email: 'lea@acme.test', password: PASSWORD })).statusCode, 201, 'other addresses are not affected');
      clock.advance(15 * 60_000);
    });

    test('60 parallel wrong passwords for one address: exactly 5 are evaluated, the other 55 get 429 with Retry-After', async () => {
      const email = 'parallel@acme.test';
      await addMember(t.app.relais, 'acme', 'parallel', 'member', { email, password: PASSWORD });
      const ip = { 'x-forwarded-for': '198.51.100.60' };
      const before = hashActivity().evaluations;
      const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => signIn({ email, password: `guess number ${i}` }, ip)));
      assert.equal(hashActivity().evaluations - before, 5, 'password hashes evaluated');
      assert.equal(answers.filter((r) => r.statusCode === 401).length, 5);
      const limited = answers.filter((r) => r.statusCode === 429);
      assert.equal(limited.length, 55);
      for (const res of limited) {
        assert.equal(res.json().error.code, 'rate_limited');
        assert.equal(res.headers['retry-after'], String(15 * 60));
      }
      assert.equal((await signIn({ email, password: PASSWORD }, { 'x-forwarded-for': '198.51.100.61' })).statusCode, 429, 'the right password waits too');
      clock.advance(15 * 60_000);
      assert.equal((await signIn({ email, password: PASSWORD }, ip)).statusCode, 201);
    });

    test(`40 parallel sign-ins from one IP across addresses: 20 are evaluated, at most ${HASH_CONCURRENCY} hashes at a time`, async () => {
      const ip = { 'x-forwarded-for': '198.51.100.40' };
      resetHashPeak();
      const before = hashActivity().evaluations;
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn({ email: `spray-parallel-${i}@acme.test`, password: 'x' }, ip)));
      assert.equal(answers.filter((r) => r.statusCode === 401).length, 20);
      assert.equal(answers.filter((r) => r.statusCode === 429).length, 20);
      // Unknown addresses are checked against a decoy hash, made once per process.
      const evaluated = hashActivity().evaluations - before;
      assert.ok(evaluated === 20 || evaluated === 21, `${evaluated} hashes evaluated`);
      assert.equal(hashActivity().peakInFlight, HASH_CONCURRENCY);
      clock.advance(15 * 60_000);
    });

    test('a password hashed with older parameters still signs in and is re-hashed at N=2^17', async () => {
      const { relais } = t.app;
      await addMember(relais, 'acme', 'veteran', 'member', { email: 'veteran@acme.test' });
      const old = await hashPassword(PASSWORD, { N: 2 ** 15, r: 8, p: 1 });
      await relais.store.db.updateTable('users').set({ password_hash: old }).where('id', '=', 'veteran').execute();
      const storedHash = async () => (await relais.store.db.selectFrom('users').select('password_hash').where('id', '=', 'veteran').executeTakeFirstOrThrow()).password_hash;

      assert.equal((await signIn({ email: 'veteran@acme.test', password: 'not the password' })).statusCode, 401);
      assert.equal(await storedHash(), old, 'a failed sign-in changes nothing');
      assert.equal((await signIn({ email: 'veteran@acme.test', password: PASSWORD })).statusCode, 201);
      const rehashed = await storedHash();
      assert.match(rehashed ?? '', /^scrypt\$131072\$8\$1\$/);
      assert.equal((await signIn({ email: 'veteran@acme.test', password: PASSWORD })).statusCode, 201, 'the same password works with the new hash');
      assert.equal(await storedHash(), rehashed, 'a current hash is kept');
    });

    test('cookie writes need the CSRF token and a same-origin Origin; Bearer calls do not', async () => {
      const session = await sessionHeaders(t.app.relais, 'lea');
      const patch = (headers: Record<string, string>) =>
        t.app.inject({ method: 'PATCH', url: '/v1/organizations/acme', headers, payload: { features: { customSmtp: true } } });

      const noToken = await patch({ cookie: session.cookie });
      assert.equal(noToken.statusCode, 403);
      assert.equal(noToken.json().error.code, 'csrf_failed');
      const wrongToken = await patch({ cookie: session.cookie, 'x-csrf-token': 'x'.repeat(32) });
      assert.equal(wrongToken.json().error.code, 'csrf_failed');
      const foreign = await patch({ ...session, origin: 'https://evil.example' });
      assert.equal(foreign.statusCode, 403);
      assert.equal(foreign.json().error.code, 'csrf_failed');
      assert.equal((await patch({ ...session, origin: 'http://localhost:8080' })).statusCode, 200);
      assert.equal((await patch({ ...session })).statusCode, 200);
      // Reads need no token.
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/organizations/acme', headers: { cookie: session.cookie } })).statusCode, 200);
      assert.equal((await patch({ ...t.auth, origin: 'https://evil.example' })).statusCode, 200);
      const crossSiteLogin = await signIn({ email: 'lea@acme.test', password: PASSWORD }, { origin: 'https://evil.example' });
      assert.equal(crossSiteLogin.statusCode, 403);
      assert.equal(crossSiteLogin.json().error.code, 'csrf_failed');
    });

    test('sessions end after 8 idle hours and after 7 days however active', async () => {
      const idle = await sessionHeaders(t.app.relais, 'lea');
      const read = (h: { cookie: string }) => t.app.inject({ method: 'GET', url: '/v1/sessions/current', headers: { cookie: h.cookie } });
      clock.advance(8 * 3600_000 - 1000);
      assert.equal((await read(idle)).statusCode, 200);
      clock.advance(8 * 3600_000 - 1000);
      assert.equal((await read(idle)).statusCode, 200, 'each use restarts the idle period');
      clock.advance(8 * 3600_000);
      const expired = await read(idle);
      assert.equal(expired.statusCode, 401);
      assert.equal(expired.json().error.code, 'session_expired');

      const active = await sessionHeaders(t.app.relais, 'lea');
      for (let hours = 0; hours < 7 * 24 - 4; hours += 4) {
        clock.advance(4 * 3600_000);
        assert.equal((await read(active)).statusCode, 200);
      }
      clock.advance(4 * 3600_000);
      assert.equal((await read(active)).json().error.code, 'session_expired');
    });

    test('demotion and removal end the person’s sessions at once', async () => {
      const { relais } = t.app;
      await addMember(relais, 'acme', 'paul', 'owner');
      const local = await sessionHeaders(relais, 'paul');
      const embedded = await sessionHeaders(relais, 'paul', 'acme');
      await addMember(relais, 'beta', 'paul', 'member');
      const inBeta = await sessionHeaders(relais, 'paul', 'beta');
      const current = (h: { cookie: string }) => t.app.inject({ method: 'GET', url: '/v1/sessions/current', headers: { cookie: h.cookie } });

      const demote = await t.app.inject({
        method: 'PUT',
        url: '/v1/organizations/acme/members/paul',
        headers: t.auth,
        payload: { email: 'paul@example.test', name: 'paul', role: 'admin' },
      });
      assert.equal(demote.statusCode, 200, demote.body);
      assert.equal((await current(local)).statusCode, 401);
      assert.equal((await current(embedded)).statusCode, 401);
      assert.equal((await current(inBeta)).statusCode, 200, 'a session bound to another organization goes on');

      // Even a session that escaped revocation sees the new role immediately.
      const after = await sessionHeaders(relais, 'paul', 'acme');
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/audit-log', headers: after })).statusCode, 403);
      const removed = await t.app.inject({ method: 'DELETE', url: '/v1/organizations/acme/members/paul', headers: t.auth });
      assert.equal(removed.statusCode, 204);
      assert.equal((await current(after)).statusCode, 401);
      const again = await sessionHeaders(relais, 'paul');
      const acme = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme', headers: again });
      assert.equal(acme.statusCode, 404);
      assert.equal(acme.json().error.code, 'organization_not_found');
    });

    test('a new password ends the local sessions', async () => {
      const before = await signIn({ email: 'lea@acme.test', password: PASSWORD });
      const cookie = sessionCookieFrom(before.headers['set-cookie']);
      const res = await t.app.inject({
        method: 'PUT',
        url: '/v1/organizations/acme/members/lea',
        headers: t.auth,
        payload: { email: 'lea@acme.test', name: 'Léa Martin', role: 'owner', password: 'a brand new passphrase' },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().canSignInWithPassword, true);
      assert.equal(JSON.stringify(res.json()).includes('passphrase'), false);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/sessions/current', headers: { cookie } })).statusCode, 401);
      assert.equal((await signIn({ email: 'lea@acme.test', password: 'a brand new passphrase' })).statusCode, 201);
    });
  });
}
