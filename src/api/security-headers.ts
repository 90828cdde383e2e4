// What browsers are told about Relais's responses, through @fastify/helmet:
// - a strict Content-Security-Policy: scripts, styles, images, fonts and requests from Relais
//   itself only, no plugins, no inline script; `frame-ancestors` from RELAIS_FRAME_ANCESTORS
//   (the platform's origins that embed the settings page; 'self' by default);
// - X-Content-Type-Options: nosniff, Referrer-Policy: strict-origin-when-cross-origin
//   (no-referrer on /embed, whose URL carries a sign-in token: the route says so itself);
// - Strict-Transport-Security only when RELAIS_PUBLIC_URL is https;
// - Cache-Control: no-store on every API response (they carry people's data, relay settings
//   or one-time secrets: keys, sign-in links, CSRF tokens) and on routes declaring `noStore`.
// Which policy applies is decided from the matched route, like access control.
import type { FastifyInstance } from 'fastify';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { Config } from '../config.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Cache-Control: no-store on this route's responses (API routes always have it). */
    noStore?: boolean;
  }
}

type Directives = Record<string, string[]>;

/** The settings UI's policy: everything from Relais itself, nothing inline. */
export function contentSecurityPolicy(config: Pick<Config, 'frameAncestors' | 'publicUrl'>): Directives {
  return {
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
    'frame-ancestors': [...config.frameAncestors],
    ...(isHttps(config.publicUrl) ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/**
 * The API reference at /docs (swagger-ui): the same, plus the images swagger-ui draws from
 * data: URLs (its logo and icons).
 */
export function docsContentSecurityPolicy(config: Pick<Config, 'frameAncestors' | 'publicUrl'>): Directives {
  const directives = contentSecurityPolicy(config);
  return { ...directives, 'img-src': ["'self'", 'data:'] };
}

function isHttps(publicUrl: string): boolean {
  return publicUrl.startsWith('https:');
}

function helmetOptions(config: Config): FastifyHelmetOptions {
  const onlySelf = config.frameAncestors.length === 1 && config.frameAncestors[0] === "'self'";
  return {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(config) },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: isHttps(config.publicUrl) ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // For browsers without CSP frame-ancestors; it cannot name other origins, so it is sent
    // only when nobody else may frame Relais.
    xFrameOptions: onlySelf ? { action: 'sameorigin' } : false,
  };
}

/** Registers the headers for every route; call before any route is declared. */
export async function registerSecurityHeaders(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(helmet, helmetOptions(config));
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.config;
    if (route.permission !== undefined || route.noStore === true) void reply.header('cache-control', 'no-store');
  });
}

/** For a scope holding swagger-ui: its routes get the /docs policy. Register before swagger-ui. */
export function useDocsPolicy(scope: FastifyInstance, config: Config): void {
  const docs = { contentSecurityPolicy: { useDefaults: false, directives: docsContentSecurityPolicy(config) } };
  scope.addHook('onRoute', (route) => {
    route.config = Object.assign(route.config ?? {}, { helmet: docs });
  });
}
