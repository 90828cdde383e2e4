// People for HTTP tests: members with a role, and their cookie sessions, without going
// through password hashing (fast) unless a test wants a real sign-in.
import type { Relais } from '../../src/relais.ts';
import type { Role } from '../../src/tenants/member.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/tenants/session.ts';

const SEED = { kind: 'system', name: 'tests' } as const;

/** Adds (or updates) a member; the organization must exist. */
export async function addMember(
  relais: Relais,
  organizationId: string,
  userId: string,
  role: Role,
  options: { email?: string; name?: string; password?: string } = {},
): Promise<void> {
  await relais.members.put(
    organizationId,
    userId,
    { email: options.email ?? `${userId}@example.test`, name: options.name ?? userId, role, ...(options.password ? { password: options.password } : {}) },
    SEED,
  );
}

/** Headers of a signed-in person's browser: the session cookie and the CSRF token (needed on writes). */
export type SessionHeaders = {
  cookie: string;
  [CSRF_HEADER]: string;
};

/** A fresh session for the user; `organizationId` binds it to one organization, as embedded sign-in does. */
export async function sessionHeaders(relais: Relais, userId: string, organizationId: string | null = null): Promise<SessionHeaders> {
  const { token, session } = await relais.sessions.create(userId, organizationId, organizationId === null ? 'local' : 'embed');
  return { cookie: `${SESSION_COOKIE}=${token}`, [CSRF_HEADER]: session.csrfToken };
}

/** The cookie pair (`relais_session=…`) from a response's Set-Cookie, for the next request. */
export function sessionCookieFrom(setCookie: string | string[] | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const found = all.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!found) throw new Error(`no ${SESSION_COOKIE} cookie in ${JSON.stringify(setCookie)}`);
  return found.split(';')[0] ?? '';
}
