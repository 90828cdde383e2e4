// Embed tokens: short-lived, signed (HMAC-SHA256) claims that the platform vouches for a
// user of an organization. Format: `v1.<payload base64url>.<signature base64url>`.
// Pure functions; recording single use is the embed service's job.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export interface EmbedClaims {
  /** Unique token id, recorded on exchange so the token works once. */
  jti: string;
  organizationId: string;
  userId: string;
  issuedAt: number;
  expiresAt: number;
}

const VERSION = 'v1';

const payloadSchema = z.strictObject({
  jti: z.string().min(16).max(64),
  org: z.string().min(1).max(64),
  sub: z.string().min(1).max(128),
  iat: z.number().int(),
  exp: z.number().int(),
});

function sign(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function signEmbedToken(key: Buffer, claims: EmbedClaims): string {
  const payload = Buffer.from(
    JSON.stringify({ jti: claims.jti, org: claims.organizationId, sub: claims.userId, iat: claims.issuedAt, exp: claims.expiresAt }),
  ).toString('base64url');
  const data = `${VERSION}.${payload}`;
  return `${data}.${sign(key, data).toString('base64url')}`;
}

/** The claims of an authentic token, or undefined when it is malformed or its signature does not match. */
export function verifyEmbedToken(key: Buffer, token: string): EmbedClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return undefined;
  const [, payload = '', signature = ''] = parts;
  const expected = sign(key, `${VERSION}.${payload}`);
  const presented = Buffer.from(signature, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  return { jti: p.jti, organizationId: p.org, userId: p.sub, issuedAt: p.iat, expiresAt: p.exp };
}
