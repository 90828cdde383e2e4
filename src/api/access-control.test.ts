// A /v1 route without a declared permission stops the app from starting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import type { Relais } from '../relais.ts';
import { registerAccessControl } from './access-control.ts';
import { errorHandler } from './error-handler.ts';

/** Builds an app with the routes `declare` adds, then runs `inspect` on the ready app. */
async function appWith(declare: (app: ReturnType<typeof Fastify>) => void, inspect?: (app: ReturnType<typeof Fastify>) => Promise<void>): Promise<void> {
  const app = Fastify();
  registerAccessControl(app, {} as Relais);
  await app.register(async (scope) => declare(scope as ReturnType<typeof Fastify>));
  try {
    await app.ready();
    await inspect?.(app);
  } finally {
    await app.close();
  }
}

test('a /v1 route must declare a known permission', async () => {
  await assert.rejects(
    appWith((app) => app.get('/v1/things', async () => ({}))),
    /GET \/v1\/things declares no permission/,
  );
  await assert.rejects(
    appWith((app) => app.get('/v1/things', { config: { permission: 'things:read' as 'public' } }, async () => ({}))),
    /declares the unknown permission "things:read"/,
  );
  await assert.rejects(
    appWith((app) => app.get('/v1/things', { config: { permission: 'relay:read' } }, async () => ({}))),
    /organization permission "relay:read" but has no :orgId parameter/,
  );
});

test('declared and public routes, and routes outside /v1, are accepted', async () => {
  await appWith(
    (app) => {
      app.get('/v1/organizations/:orgId/things', { config: { permission: 'relay:read' } }, async () => ({}));
      app.post('/v1/open', { config: { permission: 'public' } }, async () => ({ open: true }));
      app.get('/healthz', async () => ({ ok: true }));
    },
    async (app) => {
      assert.ok(app.hasRoute({ method: 'GET', url: '/v1/organizations/:orgId/things' }), 'the declared route is served');
      assert.deepEqual((await app.inject({ method: 'POST', url: '/v1/open' })).json(), { open: true });
      assert.deepEqual((await app.inject({ method: 'GET', url: '/healthz' })).json(), { ok: true });
    },
  );
});

test('what a request needs comes from the route it matched, however its path is spelled', async () => {
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(cookie);
  registerAccessControl(app, {} as Relais);
  app.get('/v1/events', { config: { permission: 'events:read' } }, async () => ({ events: [] }));
  app.get('/v1/organizations/:orgId/members', { config: { permission: 'members:read' } }, async () => ({ members: [] }));
  // Outside /v1, a route that declares a permission is checked as well.
  app.get('/reports', { config: { permission: 'events:read' } }, async () => ({ reports: [] }));
  try {
    for (const url of ['/v1/events', '/%761/events', '/v%31/events', '/v1/%65vents', '/v1/organizations/%61cme/members', '/%761/organizations/acme/members', '/reports']) {
      const res = await app.inject({ method: 'GET', url });
      assert.deepEqual([res.statusCode, res.json().error.code], [401, 'unauthenticated'], url);
    }
    for (const url of ['/V1/events', '/v1%2Fevents', '/v1/events/', '/v1//events', '/nothing']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
    }
  } finally {
    await app.close();
  }
});
