// The authorization matrix: every route × every kind of caller → the expected status.
// It fails when a route exists without an entry here, so a new route cannot ship unchecked:
// add the route's row below (and its permission in src/tenants/authorization.ts).
// Every route is also called through other spellings of its path (test/support/path-spellings.ts):
// each spelling must reach the same permission check or be refused, for every caller.
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../test/support/databases.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { addMember, sessionHeaders } from '../../test/support/actors.ts';
import { storeRelay } from '../../test/support/relays.ts';
import { examplePath, pathSpellings, rawClient, type RawResponse } from '../../test/support/path-spellings.ts';
import { WEB_DIST } from './web.routes.ts';

const ACTORS = ['anonymous', 'revokedKey', 'member', 'admin', 'otherOwner', 'owner', 'platform'] as const;
type ActorName = (typeof ACTORS)[number];
type Expected = Record<ActorName, number>;

interface Case {
  url: string;
  payload?: () => object;
  expect: Expected;
}

/** Organization routes: the platform and the listed roles of acme succeed; others are refused. */
function organization(ok: number, roles: ('owner' | 'admin' | 'member')[]): Expected {
  const role = (r: 'owner' | 'admin' | 'member') => (roles.includes(r) ? ok : 403);
  return { anonymous: 401, revokedKey: 401, member: role('member'), admin: role('admin'), otherOwner: 404, owner: role('owner'), platform: ok };
}
const OWNERS = ['owner'] as ('owner' | 'admin' | 'member')[];
const EVERYONE = ['owner', 'admin', 'member'] as ('owner' | 'admin' | 'member')[];
const PLATFORM_ONLY = [] as ('owner' | 'admin' | 'member')[];
/** Platform routes naming no organization: people are refused whatever their role. */
const platform = (ok: number): Expected => ({ anonymous: 401, revokedKey: 401, member: 403, admin: 403, otherOwner: 403, owner: 403, platform: ok });
/** About the caller's own session: any person; the platform key has none. */
const session = (ok: number): Expected => ({ anonymous: 401, revokedKey: 401, member: ok, admin: ok, otherOwner: ok, owner: ok, platform: 403 });
const everyone = (status: number): Expected => Object.fromEntries(ACTORS.map((a) => [a, status])) as Expected;

let counter = 0;

const MATRIX: Record<string, Case> = {
  'POST /v1/organizations': { url: '/v1/organizations', payload: () => ({ id: `new-${++counter}`, name: 'New' }), expect: platform(201) },
  'GET /v1/organizations/:orgId': { url: '/v1/organizations/acme', expect: organization(200, EVERYONE) },
  'PATCH /v1/organizations/:orgId': { url: '/v1/organizations/acme', payload: () => ({ features: { customSmtp: true } }), expect: organization(200, OWNERS) },
  'GET /v1/organizations/:orgId/members': { url: '/v1/organizations/acme/members', expect: organization(200, OWNERS) },
  'PUT /v1/organizations/:orgId/members/:userId': {
    url: '/v1/organizations/acme/members/u-new',
    payload: () => ({ email: 'new@example.test', name: 'New Person', role: 'owner' }),
    expect: organization(201, PLATFORM_ONLY),
  },
  'DELETE /v1/organizations/:orgId/members/:userId': { url: '/v1/organizations/acme/members/u-leaving', expect: organization(204, PLATFORM_ONLY) },
  'POST /v1/organizations/:orgId/messages': {
    url: '/v1/organizations/acme/messages',
    payload: () => ({ to: 'learner@example.org', subject: 'Hello', text: 'Hi' }),
    expect: organization(202, PLATFORM_ONLY),
  },
  'GET /v1/organizations/:orgId/messages': { url: '/v1/organizations/acme/messages', expect: organization(200, OWNERS) },
  'GET /v1/organizations/:orgId/messages/:messageId': { url: '/v1/organizations/acme/messages/{messageId}', expect: organization(200, OWNERS) },
  'POST /v1/organizations/:orgId/messages/:messageId/resend': { url: '/v1/organizations/acme/messages/{failedMessageId}/resend', expect: organization(202, OWNERS) },
  'GET /v1/events': { url: '/v1/events', expect: platform(200) },
  // An endpoint at a public IP literal (checked, never connected to: nothing dispatches here); DELETE last.
  'POST /v1/webhook-endpoints': { url: '/v1/webhook-endpoints', payload: () => ({ url: 'https://93.184.215.14/hooks' }), expect: platform(201) },
  'GET /v1/webhook-endpoints': { url: '/v1/webhook-endpoints', expect: platform(200) },
  'GET /v1/webhook-endpoints/:id': { url: '/v1/webhook-endpoints/{endpointId}', expect: platform(200) },
  'PATCH /v1/webhook-endpoints/:id': { url: '/v1/webhook-endpoints/{endpointId}', payload: () => ({ description: 'matrix' }), expect: platform(200) },
  'POST /v1/webhook-endpoints/:id/rotate-secret': { url: '/v1/webhook-endpoints/{endpointId}/rotate-secret', expect: platform(200) },
  'POST /v1/webhook-endpoints/:id/test': { url: '/v1/webhook-endpoints/{endpointId}/test', expect: platform(202) },
  'GET /v1/webhook-endpoints/:id/deliveries': { url: '/v1/webhook-endpoints/{endpointId}/deliveries', expect: platform(200) },
  'DELETE /v1/webhook-endpoints/:id': { url: '/v1/webhook-endpoints/{endpointId}', expect: platform(204) },
  'GET /v1/organizations/:orgId/audit-log': { url: '/v1/organizations/acme/audit-log', expect: organization(200, OWNERS) },
  // acme has a verified relay at 127.0.0.1 (stored in before()); the order below keeps it usable:
  // activate and deactivate first, then verify (refused by the address guard before any socket),
  // then PUT (a public IP literal: checked, never connected to), then DELETE (idempotent).
  'GET /v1/organizations/:orgId/smtp-relay/status': { url: '/v1/organizations/acme/smtp-relay/status', expect: organization(200, EVERYONE) },
  'GET /v1/organizations/:orgId/smtp-relay': { url: '/v1/organizations/acme/smtp-relay', expect: organization(200, OWNERS) },
  'POST /v1/organizations/:orgId/smtp-relay/activate': { url: '/v1/organizations/acme/smtp-relay/activate', expect: organization(200, OWNERS) },
  'POST /v1/organizations/:orgId/smtp-relay/deactivate': { url: '/v1/organizations/acme/smtp-relay/deactivate', expect: organization(200, OWNERS) },
  // The stored relay's loopback host is refused by the address guard: the check answers 200 with a failed first step.
  'POST /v1/organizations/:orgId/smtp-relay/check': { url: '/v1/organizations/acme/smtp-relay/check', payload: () => ({}), expect: organization(200, OWNERS) },
  'POST /v1/organizations/:orgId/smtp-relay/detect': { url: '/v1/organizations/acme/smtp-relay/detect', payload: () => ({ host: '127.0.0.1' }), expect: organization(200, OWNERS) },
  'POST /v1/organizations/:orgId/smtp-relay/verify': { url: '/v1/organizations/acme/smtp-relay/verify', expect: organization(200, OWNERS) },
  'PUT /v1/organizations/:orgId/smtp-relay': {
    url: '/v1/organizations/acme/smtp-relay',
    payload: () => ({
      preset: 'custom',
      host: '93.184.215.14',
      port: 587,
      security: 'starttls',
      username: 'formation@acme.test',
      password: 'matrix-password',
      fromEmail: 'formation@acme.test',
      fromName: 'Acme',
      fallbackPolicy: 'fallback',
    }),
    expect: organization(200, OWNERS),
  },
  'POST /v1/organizations/:orgId/smtp-relay/connect': {
    url: '/v1/organizations/acme/smtp-relay/connect',
    payload: () => ({ provider: 'google' }),
    expect: organization(200, OWNERS),
  },
  'DELETE /v1/organizations/:orgId/smtp-relay': { url: '/v1/organizations/acme/smtp-relay', expect: organization(204, OWNERS) },
  'GET /v1/organizations/:orgId/retention': { url: '/v1/organizations/acme/retention', expect: organization(200, OWNERS) },
  'PUT /v1/organizations/:orgId/retention': { url: '/v1/organizations/acme/retention', payload: () => ({ contentDays: 5 }), expect: organization(200, OWNERS) },
  'POST /v1/organizations/:orgId/erasure': { url: '/v1/organizations/acme/erasure', payload: () => ({ email: 'nobody@example.org' }), expect: organization(200, OWNERS) },
  'GET /v1/organizations/:orgId/export': { url: '/v1/organizations/acme/export', expect: organization(200, OWNERS) },
  // Deleting an organization is the platform's: acme's people are not members of "doomed" (404), the platform deletes it.
  'DELETE /v1/organizations/:orgId': {
    url: '/v1/organizations/doomed',
    expect: { anonymous: 401, revokedKey: 401, member: 404, admin: 404, otherOwner: 404, owner: 404, platform: 200 },
  },
  // Provider data for any signed-in caller.
  'GET /v1/smtp-presets': {
    url: '/v1/smtp-presets',
    expect: { anonymous: 401, revokedKey: 401, member: 200, admin: 200, otherOwner: 200, owner: 200, platform: 200 },
  },
  'POST /v1/embed-sessions': { url: '/v1/embed-sessions', payload: () => ({ organizationId: 'acme', userId: 'u-member' }), expect: platform(201) },
  // Public: a wrong password is refused the same way whoever asks.
  'POST /v1/sessions': {
    url: '/v1/sessions',
    // A new address each time, so that the login rate limit stays out of the picture.
    payload: () => ({ email: `nobody-${++counter}@example.test`, password: 'not-the-password' }),
    expect: everyone(401),
  },
  'GET /v1/sessions/current': { url: '/v1/sessions/current', expect: session(200) },
  'DELETE /v1/sessions/current': { url: '/v1/sessions/current', expect: session(204) },
  // Outside /v1: the provider's redirect; an unknown state goes back to the settings page with its error, whoever asks.
  'GET /oauth/callback': { url: '/oauth/callback?state=unknown&code=x', expect: everyone(303) },
  // Outside /v1 but it signs people in: an invalid token is refused whoever asks.
  'GET /embed': { url: '/embed?token=not-a-token', expect: everyone(401) },
};

/** Routes outside /v1 that are public by design (no credentials involved). */
function publicByDesign(method: string, url: string): boolean {
  if (['/healthz', '/readyz', '/metrics'].includes(url)) return method === 'GET';
  if (url === '/docs' || url.startsWith('/docs/')) return method === 'GET';
  if (url.startsWith('/dev/inbox')) return method === 'GET';
  // The settings UI's static files.
  return method === 'GET' && (url === '/' || url === '/*' || fs.existsSync(path.join(WEB_DIST, url)));
}

const EXPECTED_CODE: Record<number, (actor: ActorName, key: string) => string> = {
  401: (actor, key) =>
    key === 'POST /v1/sessions' ? 'invalid_credentials' : key === 'GET /embed' ? 'embed_token_invalid' : actor === 'revokedKey' ? 'api_key_revoked' : 'unauthenticated',
  403: () => 'forbidden',
  404: () => 'organization_not_found',
};

for (const dialect of await dialects()) {
  describe(`authorization matrix (${dialect})`, () => {
    let t: TestApp;
    let revokedKey: string;
    let messageId: string;
    let failedMessageId: string;
    let endpointId: string;
    let send: Awaited<ReturnType<typeof rawClient>>;

    before(async () => {
      t = await createTestApp({ dialect, env: { RELAIS_OAUTH_GOOGLE_CLIENT_ID: 'matrix-app', RELAIS_OAUTH_GOOGLE_CLIENT_SECRET: 'matrix-secret' } });
      const { relais } = t.app;
      await relais.organizations.create({ id: 'acme', name: 'Acme' });
      await relais.organizations.create({ id: 'other', name: 'Other' });
      await relais.organizations.create({ id: 'doomed', name: 'Doomed' });
      await addMember(relais, 'acme', 'u-owner', 'owner');
      await addMember(relais, 'acme', 'u-admin', 'admin');
      await addMember(relais, 'acme', 'u-member', 'member');
      await addMember(relais, 'acme', 'u-leaving', 'member');
      await addMember(relais, 'other', 'u-other', 'owner');
      await relais.organizations.update('acme', { features: { customSmtp: true } });
      await storeRelay(relais, 'acme');
      const revoked = await relais.apiKeys.create('revoked');
      await relais.apiKeys.revoke(revoked.apiKey.id);
      revokedKey = revoked.key;
      ({
        message: { id: messageId },
      } = await relais.accept.accept('acme', { to: [{ address: 'learner@example.org' }], subject: 'Hello', text: 'Hi' }));
      ({
        message: { id: failedMessageId },
      } = await relais.accept.accept('acme', { to: [{ address: 'gone@example.org' }], subject: 'Lost', text: 'Hi' }));
      await relais.store.db.updateTable('messages').set({ status: 'failed' }).where('id', '=', failedMessageId).execute();
      ({
        endpoint: { id: endpointId },
      } = await relais.webhooks.create({ url: 'https://93.184.215.14/hooks' }));
      send = await rawClient(t.app);
    });
    after(async () => {
      await t.close();
    });

    async function headersFor(actor: ActorName): Promise<Record<string, string>> {
      const { relais } = t.app;
      switch (actor) {
        case 'anonymous':
          return {};
        case 'revokedKey':
          return { authorization: `Bearer ${revokedKey}` };
        case 'platform':
          return t.auth;
        case 'otherOwner':
          return { ...(await sessionHeaders(relais, 'u-other')) };
        default:
          return { ...(await sessionHeaders(relais, `u-${actor}`)) };
      }
    }

    test('every route has a row, and every row a route', () => {
      const routes = t.app.routeAccess;
      const missing = routes
        .filter((r) => !MATRIX[`${r.method} ${r.url}`] && (r.guarded || !publicByDesign(r.method, r.url)))
        .map((r) => `${r.method} ${r.url} (${r.permission})`);
      assert.deepEqual(missing, [], 'routes without an entry in the authorization matrix: add them to MATRIX');
      const stale = Object.keys(MATRIX).filter((key) => !routes.some((r) => `${r.method} ${r.url}` === key));
      assert.deepEqual(stale, [], 'matrix entries for routes that no longer exist');
    });

    const urlOf = (c: Case) => c.url.replace('{messageId}', messageId).replace('{failedMessageId}', failedMessageId).replace('{endpointId}', endpointId);

    for (const [key, c] of Object.entries(MATRIX)) {
      test(key, async () => {
        const [method = 'GET'] = key.split(' ');
        const results: string[] = [];
        for (const actor of ACTORS) {
          const res = await t.app.inject({
            method: method as 'GET',
            url: urlOf(c),
            headers: await headersFor(actor),
            ...(c.payload ? { payload: c.payload() } : {}),
          });
          const expected = c.expect[actor];
          const code = res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : '-';
          const expectedCode = EXPECTED_CODE[expected]?.(actor, key) ?? '-';
          if (res.statusCode !== expected || code !== expectedCode) {
            results.push(`${actor}: got ${res.statusCode} ${code}, expected ${expected} ${expectedCode}`);
          }
        }
        assert.deepEqual(results, []);
      });

      // Callers refused on the plain path are refused on every other spelling too: by the same
      // check (same status and code), or because no route matches it (404), or by the sign-in
      // throttle (429: every spelling is one more failed sign-in from this address). Callers
      // allowed are left out, so that the routes that change state run once, in the order above.
      test(`${key}, spelled differently`, async () => {
        const [method = 'GET'] = key.split(' ');
        const refused = ACTORS.filter((actor) => c.expect[actor] >= 400);
        const results: string[] = [];
        for (const spelling of pathSpellings(urlOf(c))) {
          for (const actor of refused) {
            const res = await send(method, spelling, await headersFor(actor), c.payload?.());
            const expected = c.expect[actor];
            const expectedCode = EXPECTED_CODE[expected]?.(actor, key) ?? '-';
            const sameCheck = res.status === expected && res.code === expectedCode;
            if (!sameCheck && res.status !== 404 && res.code !== 'rate_limited') {
              results.push(`${actor} ${spelling}: got ${res.status} ${res.code}, expected ${expected} ${expectedCode} or 404`);
            }
          }
        }
        assert.deepEqual(results, []);
      });
    }
  });

  // Generated from the routes the app declares, so a new route is walked without any entry here.
  describe(`every declared route in other spellings, without credentials (${dialect})`, () => {
    let t: TestApp;
    let send: Awaited<ReturnType<typeof rawClient>>;
    before(async () => {
      t = await createTestApp({ dialect });
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
      send = await rawClient(t.app);
    });
    after(async () => {
      await t.close();
    });

    const describeResponse = (res: RawResponse) => `${res.status} ${res.code}`;

    test('protected routes answer 401 or 404; public ones as on their plain path, or refuse (4xx)', async () => {
      const problems: string[] = [];
      let requests = 0;
      for (const route of t.app.routeAccess) {
        const plain = examplePath(route.url);
        for (const method of route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]) {
          const protectedRoute = route.guarded && route.permission !== 'public';
          const reference = await send(method, plain);
          requests++;
          if (protectedRoute && reference.status !== 401) problems.push(`${method} ${plain}: got ${describeResponse(reference)}, expected 401`);
          for (const spelling of pathSpellings(plain)) {
            const res = await send(method, spelling);
            requests++;
            if (protectedRoute) {
              const refused = res.status === 404 || (res.status === 401 && (method === 'HEAD' || res.code === 'unauthenticated'));
              if (!refused) problems.push(`${method} ${spelling} (${route.url}, ${route.permission}): got ${describeResponse(res)}, expected 401 or 404`);
            } else if (res.status !== reference.status && (res.status < 400 || res.status >= 500)) {
              problems.push(`${method} ${spelling} (${route.url}, public): got ${describeResponse(res)}, expected ${reference.status} or a refusal`);
            }
          }
        }
      }
      assert.ok(requests > 500, `only ${requests} requests were sent`);
      assert.deepEqual(problems, []);
    });

    test('a request that matches no route gets the same 404 whoever sends it', async () => {
      const revoked = await t.app.relais.apiKeys.create('revoked');
      await t.app.relais.apiKeys.revoke(revoked.apiKey.id);
      const callers: Record<string, Record<string, string>> = {
        anonymous: {},
        'unknown key': { authorization: 'Bearer rls_not-a-key' },
        'revoked key': { authorization: `Bearer ${revoked.key}` },
        platform: t.auth,
      };
      for (const [method, path] of [
        ['GET', '/v1/nothing-here'],
        ['GET', '/v1/organizations/acme/nothing-here'],
        ['PATCH', '/v1/events'],
        ['DELETE', '/v1/organizations'],
        ['GET', '/V1/events'],
      ] as const) {
        const answers = new Set<string>();
        for (const headers of Object.values(callers)) {
          const res = await send(method, path, headers);
          answers.add(`${res.status} ${res.body}`);
        }
        assert.deepEqual([...answers], [`404 ${JSON.stringify({ error: { code: 'not_found', message: `No route ${method} ${path}.` } })}`], `${method} ${path}`);
      }
    });
  });
}
