// Serves the built settings UI (web/dist) at / with client-side routes falling back to index.html.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

export const WEB_DIST = path.resolve(import.meta.dirname, '../../web/dist');

export function webAvailable(dir = WEB_DIST): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}

export function webRoutes(dir = WEB_DIST): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyStatic, { root: dir, prefix: '/', wildcard: false, index: ['index.html'] });
  };
}

/** For GET requests a browser makes to a UI path (not the API), answer with the single-page app. */
export function isUiNavigation(request: FastifyRequest): boolean {
  return (
    request.method === 'GET' &&
    !/^\/(v1|docs|dev|metrics|healthz|readyz|embed)(\/|$|\?)/.test(request.url) &&
    (request.headers.accept ?? '').includes('text/html')
  );
}

/** The single-page app's entry, read once; the hashed assets it names are served by @fastify/static. */
export function indexSender(dir = WEB_DIST): (reply: FastifyReply) => FastifyReply {
  const html = fs.readFileSync(path.join(dir, 'index.html'));
  return (reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
}
