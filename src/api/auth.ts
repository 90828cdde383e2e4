// Who is calling: the platform (`Authorization: Bearer <API key>`) or a person (the
// `relais_session` cookie). Cookie-authenticated writes must also prove they come from
// Relais's own pages (CSRF): the session's token in `x-csrf-token`, and a same-origin
// `Origin` when the browser sends one. Bearer calls are server-to-server and exempt.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { AppError } from '../errors.ts';
import type { Relais } from '../relais.ts';
import type { Actor, UserActor } from '../tenants/actor.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../tenants/session.ts';

export type { Actor } from '../tenants/actor.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every authenticated /v1 request. */
    actor?: Actor;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isWrite(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Resolves the caller or throws 401. Writes with a session cookie are checked for CSRF (403). */
export async function authenticate(relais: Relais, request: FastifyRequest): Promise<Actor> {
  if (request.headers.authorization !== undefined) {
    const token = bearerToken(request);
    if (!token) throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <platform API key>".');
    const key = await relais.apiKeys.verify(token);
    if (!key) {
      if (await relais.apiKeys.isRevoked(token)) throw new AppError('api_key_revoked', 'This API key was revoked. Use another key or create one with `relais keys create`.');
      throw new AppError('unauthenticated', 'This API key is unknown.');
    }
    return { kind: 'platform', apiKeyId: key.id, name: key.name };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie) {
    const actor = await relais.sessions.resolve(cookie);
    if (isWrite(request)) checkCsrf(relais, request, actor);
    return actor;
  }
  throw new AppError('unauthenticated', 'Authentication required: send "Authorization: Bearer <platform API key>" or sign in.');
}

/** A browser's Origin, when sent, must be Relais's own: its public URL or the host it was reached at. */
export function checkOrigin(relais: Relais, request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw csrfFailed('The Origin header is not a URL.');
  }
  if (origin === new URL(relais.config.publicUrl).origin || host === request.headers.host) return;
  throw csrfFailed(`Requests from ${origin} may not act on this session.`);
}

function checkCsrf(relais: Relais, request: FastifyRequest, actor: UserActor): void {
  checkOrigin(relais, request);
  const presented = request.headers[CSRF_HEADER];
  const expected = Buffer.from(actor.session.csrfToken);
  const given = Buffer.from(typeof presented === 'string' ? presented : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw csrfFailed(`Send the session's CSRF token (from POST /v1/sessions or GET /v1/sessions/current) in the ${CSRF_HEADER} header.`);
  }
}

function csrfFailed(message: string): AppError {
  return new AppError('csrf_failed', message);
}

/**
 * The session cookie's attributes. Served over HTTPS, Relais marks it `SameSite=None; Secure;
 * Partitioned` so the settings page works inside the platform's iframe; over plain HTTP
 * (local demo) browsers refuse SameSite=None, so it is `Lax`.
 */
export function sessionCookieOptions(publicUrl: string, expiresAt?: number): CookieSerializeOptions {
  const https = publicUrl.startsWith('https:');
  return {
    path: '/',
    httpOnly: true,
    secure: https,
    sameSite: https ? 'none' : 'lax',
    ...(https ? { partitioned: true } : {}),
    ...(expiresAt !== undefined ? { expires: new Date(expiresAt) } : {}),
  };
}
