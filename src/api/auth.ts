// Who is calling: a platform API key (Bearer). Sessions for people come with the roles work.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { Relais } from '../relais.ts';

export type Actor = { kind: 'platform'; apiKeyId: string; name: string };

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Resolves the caller or throws 401. */
export async function authenticate(relais: Relais, request: FastifyRequest): Promise<Actor> {
  const token = bearerToken(request);
  if (!token) {
    throw new AppError('unauthenticated', 'Authentication required: send "Authorization: Bearer <platform API key>".');
  }
  const key = await relais.apiKeys.verify(token);
  if (!key) throw new AppError('unauthenticated', 'This API key is unknown or was revoked.');
  const actor: Actor = { kind: 'platform', apiKeyId: key.id, name: key.name };
  request.actor = actor;
  return actor;
}
