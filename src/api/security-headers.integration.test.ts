// What a browser is told about each kind of response: the CSP (strict for the UI, frame-ancestors
// from RELAIS_FRAME_ANCESTORS, a nonce for the dev inbox's style, data: images for /docs),
// nosniff, the referrer policies, HSTS only over https, and no-store on every API response
// (people's data, relay settings, one-time secrets). Headers do not depend on the database:
// these run on SQLite only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { addMember, sessionCookieFrom, sessionHeaders } from '../../test/support/actors.ts';
import { storeRelay } from '../../test/support/relays.ts';
import { startDevInbox, type DevInbox } from '../dev/capture-server.ts';

/** `default-src 'self'; img-src 'self' data:` → { 'default-src': ["'self'"], 'img-src': ["'self'", 'data:'] } */
function csp(res: LightMyRequestResponse): Record<string, string[]> {
  const header = res.headers['content-security-policy'];
  assert.equal(typeof header, 'string', `no Content-Security-Policy on ${res.statusCode} ${res.body.slice(0, 80)}`);
  return Object.fromEntries(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name = '', ...values]) => [name, values]),
  );
}

const STRICT = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
};

const uiNavigation = { accept: 'text/html,application/xhtml+xml' };

describe('security headers', () => {
  let t: TestApp;
  let inbox: DevInbox;

  before(async () => {
    inbox = await startDevInbox({ host: '127.0.0.1' });
    t = await createTestApp({
      env: { RELAIS_FRAME_ANCESTORS: "'self' https://platform.example https://*.lms.example", RELAIS_DEMO: 'true' },
      deps: { devInbox: inbox },
    });
    const { relais } = t.app;
    await relais.organizations.create({ id: 'acme', name: 'Acme' });
    await relais.organizations.update('acme', { features: { customSmtp: true } });
    await addMember(relais, 'acme', 'u-owner', 'owner', { email: 'owner@acme.test', password: 'owner-password-1' });
    await storeRelay(relais, 'acme');
  });
  after(async () => {
    await t.close();
    await inbox.close();
  });

  test('UI pages, API answers and refusals carry the strict policy, with frame-ancestors from RELAIS_FRAME_ANCESTORS', async () => {
    for (const request of [
      { url: '/', headers: uiNavigation },
      { url: '/settings/emails/smtp', headers: uiNavigation },
      { url: '/v1/organizations/acme', headers: t.auth },
      { url: '/v1/organizations/acme', headers: {} },
      { url: '/no-such-page', headers: {} },
      { url: '/healthz', headers: {} },
    ]) {
      const res = await t.app.inject({ method: 'GET', ...request });
      assert.deepEqual(csp(res), { ...STRICT, 'frame-ancestors': ["'self'", 'https://platform.example', 'https://*.lms.example'] }, request.url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', request.url);
      assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin', request.url);
      // X-Frame-Options cannot name the platform: left out, CSP frame-ancestors decides.
      assert.equal(res.headers['x-frame-options'], undefined, request.url);
      assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS over http');
    }
  });

  test("by default only Relais's own pages may frame it, also for browsers without frame-ancestors", async () => {
    const plain = await createTestApp();
    try {
      const res = await plain.app.inject({ method: 'GET', url: '/', headers: uiNavigation });
      assert.deepEqual(csp(res)['frame-ancestors'], ["'self'"]);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    } finally {
      await plain.close();
    }
  });

  test('over https: HSTS, and insecure subresources upgraded', async () => {
    const secure = await createTestApp({ env: { RELAIS_PUBLIC_URL: 'https://relais.platform.example' } });
    try {
      for (const url of ['/', '/v1/organizations/acme', '/healthz']) {
        const res = await secure.app.inject({ method: 'GET', url, headers: uiNavigation });
        assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', url);
        assert.deepEqual(csp(res)['upgrade-insecure-requests'], [], url);
      }
    } finally {
      await secure.close();
    }
  });

  test('/embed sends no Referer onward and is never cached, whether the link works or not', async () => {
    const link = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: 'acme', userId: 'u-owner' } });
    assert.equal(link.statusCode, 201, link.body);
    const { pathname, search } = new URL(link.json<{ url: string }>().url);
    for (const [url, status] of [
      [`${pathname}${search}`, 303],
      [`${pathname}${search}`, 401],
      ['/embed?token=not-a-token', 401],
      [`/embed?token=${'x'.repeat(3000)}`, 422],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', url.slice(0, 40));
      assert.equal(res.headers['cache-control'], 'no-store', url.slice(0, 40));
      assert.equal(csp(res)['frame-ancestors']?.length, 3);
    }
  });

  test('API answers with personal data or one-time secrets are never stored by a cache', async () => {
    const { relais } = t.app;
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/v1/organizations/acme/messages',
      headers: t.auth,
      payload: { to: 'learner@example.org', subject: 'Hello', text: 'Hi' },
    });
    const messageId = accepted.json<{ id: string }>().id;
    const signedIn = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { email: 'owner@acme.test', password: 'owner-password-1' } });
    assert.equal(signedIn.statusCode, 201, signedIn.body);
    const person = await sessionHeaders(relais, 'u-owner');
    const calls: [string, string, Record<string, string>, object?][] = [
      ['GET', '/v1/organizations/acme/members', t.auth],
      ['GET', '/v1/organizations/acme/messages', t.auth],
      ['GET', `/v1/organizations/acme/messages/${messageId}`, t.auth],
      ['GET', '/v1/organizations/acme/audit-log', t.auth],
      ['GET', '/v1/organizations/acme/smtp-relay', t.auth],
      ['GET', '/v1/events', t.auth],
      ['POST', '/v1/embed-sessions', t.auth, { organizationId: 'acme', userId: 'u-owner' }],
      ['GET', '/v1/sessions/current', { cookie: sessionCookieFrom(signedIn.headers['set-cookie']) }],
      ['GET', '/v1/organizations/acme/members', person],
      ['GET', '/v1/organizations/acme/members', {}],
    ];
    assert.equal(accepted.headers['cache-control'], 'no-store', 'POST …/messages');
    assert.equal(signedIn.headers['cache-control'], 'no-store', 'POST /v1/sessions (CSRF token)');
    for (const [method, url, headers, payload] of calls) {
      const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
      assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode}`);
      assert.equal(res.headers['cache-control'], 'no-store', `${method} ${url} (${res.statusCode})`);
    }
  });

  test('every declared API route answers with no-store, refusals included', async () => {
    const api = t.app.routeAccess.filter((r) => r.guarded);
    assert.ok(api.length > 20);
    for (const route of api) {
      const url = route.url.replace(/:orgId\b/g, 'acme').replace(/:\w+/g, 'x1');
      const res = await t.app.inject({ method: route.method as 'GET', url });
      assert.equal(res.headers['cache-control'], 'no-store', `${route.method} ${route.url} (${res.statusCode})`);
    }
  });

  test('the API reference at /docs also allows the data: images swagger-ui draws, nothing else', async () => {
    for (const url of ['/docs', '/docs/static/index.html', '/docs/static/swagger-initializer.js']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.ok(res.statusCode < 400, `${url}: ${res.statusCode}`);
      assert.deepEqual(
        csp(res),
        { ...STRICT, 'img-src': ["'self'", 'data:'], 'frame-ancestors': ["'self'", 'https://platform.example', 'https://*.lms.example'] },
        url,
      );
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('the dev inbox allows its one inline style by nonce, and is never cached', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/dev/inbox' });
    assert.equal(res.statusCode, 200);
    const styleSrc = csp(res)['style-src'] ?? [];
    const nonce = /<style nonce="([^"]+)">/.exec(res.body)?.[1];
    assert.ok(nonce, 'the style element carries a nonce');
    assert.deepEqual(styleSrc, ["'self'", `'nonce-${nonce}'`]);
    assert.deepEqual(csp(res)['frame-ancestors']?.length, 3);
    assert.equal(res.headers['cache-control'], 'no-store');
    const again = await t.app.inject({ method: 'GET', url: '/dev/inbox' });
    assert.notEqual(/<style nonce="([^"]+)">/.exec(again.body)?.[1], nonce, 'a new nonce for each page');
    const list = await t.app.inject({ method: 'GET', url: '/dev/inbox/messages' });
    assert.equal(list.headers['cache-control'], 'no-store');
  });
});
