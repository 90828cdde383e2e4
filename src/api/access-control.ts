// Enforces src/tenants/authorization.ts on every /v1 route.
//
// Each /v1 route declares what it needs in its options:
//     app.get('/v1/organizations/:orgId/smtp-relay', { config: { permission: 'relay:read' }, schema }, handler)
// or `config: { permission: 'public' }` for the few that anyone may call (signing in).
// Declaring nothing is an error at start-up, so a new route cannot be left open by mistake.
// Organization permissions need an `:orgId` path parameter: that is the organization checked.
//
// What a request needs is read from the route the router matched (its declared permission),
// never from the raw URL: `/%761/events`, `/v%31/events` and `/v1/events` are one route and get
// one check. A request that matches no route is answered 404 (or the UI's page, for a browser
// navigation) without looking at its credentials, the same for everyone.
//
// Order per request: onRequest authenticates (401, CSRF 403), preValidation authorizes
// (403/404) before the body is validated, so callers without access learn nothing from
// validation errors.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { Relais } from '../relais.ts';
import type { Actor } from '../tenants/actor.ts';
import { decide, isPermission, ruleFor, type Decision, type Permission } from '../tenants/authorization.ts';
import type { Role } from '../tenants/member.ts';
import { authenticate, checkOrigin, isWrite } from './auth.ts';

export type RouteAccessLevel = Permission | 'public';

/** One row per route: what the access-control hook enforces (the authorization matrix test reads it). */
export interface RouteAccess {
  method: string;
  url: string;
  /** Whether it declares a permission (every /v1 route must); the others (health, docs, the UI's files, /embed) are public. */
  guarded: boolean;
  permission: RouteAccessLevel;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every /v1 route: a permission of src/tenants/authorization.ts, or 'public'. */
    permission?: RouteAccessLevel;
  }
  interface FastifyRequest {
    /** For a person acting on the route's organization: their role there, checked on this request. */
    role?: Role;
  }
  interface FastifyInstance {
    routeAccess: readonly RouteAccess[];
  }
}

/** Route patterns under /v1 must declare a permission (checked when the route is added, on its pattern). */
function isApiPattern(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/');
}

/** The permission the matched route declares; undefined when no route matched or the route is outside the API. */
function declaredPermission(request: FastifyRequest): RouteAccessLevel | undefined {
  return request.routeOptions.config.permission;
}

/** Registers the route check and the two hooks; call before any route is declared. */
export function registerAccessControl(app: FastifyInstance, relais: Relais): void {
  const table: RouteAccess[] = [];
  app.decorate('routeAccess', table);

  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat().filter((m) => m !== 'HEAD');
    const permission: unknown = route.config?.permission;
    if (permission === undefined && !isApiPattern(route.url)) {
      for (const method of methods) table.push({ method, url: route.url, guarded: false, permission: 'public' });
      return;
    }
    const where = `${methods.join(',')} ${route.url}`;
    if (permission === undefined) {
      throw new Error(`${where} declares no permission: add config: { permission: '…' } (see src/tenants/authorization.ts), or 'public'.`);
    }
    if (permission !== 'public' && (typeof permission !== 'string' || !isPermission(permission))) {
      throw new Error(`${where} declares the unknown permission ${JSON.stringify(permission)}.`);
    }
    if (permission !== 'public' && ruleFor(permission).scope === 'organization' && !route.url.includes(':orgId')) {
      throw new Error(`${where} declares the organization permission "${permission}" but has no :orgId parameter.`);
    }
    for (const method of methods) table.push({ method, url: route.url, guarded: true, permission });
  });

  app.addHook('onRequest', async (request) => {
    const permission = declaredPermission(request);
    if (permission === undefined) return;
    if (permission === 'public') {
      if (isWrite(request)) checkOrigin(relais, request);
      return;
    }
    request.actor = await authenticate(relais, request);
  });

  app.addHook('preValidation', async (request) => {
    const permission = declaredPermission(request);
    if (permission === undefined || permission === 'public') return;
    const actor = actorOf(request);
    const organizationId = organizationIdOf(request);
    if (actor.kind === 'user' && organizationId !== undefined && ruleFor(permission).scope === 'organization') {
      const bound = actor.session.organizationId;
      if (bound === null || bound === organizationId) request.role = await relais.members.roleOf(organizationId, actor.userId);
    }
    enforce(decide(actor, permission, { organizationId, role: request.role }), organizationId);
  });
}

function organizationIdOf(request: FastifyRequest): string | undefined {
  return (request.params as Record<string, string | undefined> | undefined)?.orgId;
}

function enforce(decision: Decision, organizationId: string | undefined): void {
  if (decision.allowed) return;
  if (decision.code === 'organization_not_found') {
    throw new AppError('organization_not_found', `No organization has the id "${organizationId ?? ''}".`);
  }
  throw new AppError('forbidden', 'Your role in this organization does not allow this. Ask an owner of the organization.');
}

/** The authenticated actor of a /v1 request (for audit entries). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthenticated', 'Authentication required.');
  return request.actor;
}

/** Whether the caller also holds `permission` on the route's organization (e.g. to show more). */
export function allows(request: FastifyRequest, permission: Permission): boolean {
  return decide(actorOf(request), permission, { organizationId: organizationIdOf(request), role: request.role }).allowed;
}

/** For a route whose parts need more than its declared permission (e.g. renaming in PATCH). */
export function assertAllowed(request: FastifyRequest, permission: Permission): void {
  enforce(decide(actorOf(request), permission, { organizationId: organizationIdOf(request), role: request.role }), organizationIdOf(request));
}
