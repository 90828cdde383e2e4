// Rules for sessions: sign-in with email and password (rate limited), resolving a cookie to
// the person behind it, expiry, sign-out.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { Executor } from '../store/store.ts';
import type { UserActor } from './actor.ts';
import type { Role, User } from './member.ts';
import { findMembership, listMembershipsWithOrganization } from './member.repository.ts';
import { hashPassword, needsRehash, verifyPassword } from './password.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { AuthSettings, Session, SessionKind } from './session.ts';
import { deleteExpiredSessions, deleteSession, findSession, insertSession, touchSession } from './session.repository.ts';
import { findUserRow, findUserRowByEmail, replacePasswordHash, toUser } from './user.repository.ts';

/** Last-seen times are written at most this often per session, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a signed-in person's UI needs: who they are, where they belong, the CSRF token. */
export interface SessionView {
  user: { id: string; email: string; name: string };
  memberships: { organizationId: string; organizationName: string; role: Role }[];
  /** Set when the session is limited to one organization (embedded, or a login naming one). */
  organizationId: string | null;
  csrfToken: string;
  expiresAt: number;
}

export interface SignIn {
  email: string;
  password: string;
  organizationId?: string;
  /** The client's address, for rate limiting. */
  ip: string;
}

export class SessionService {
  private lastPurge = 0;

  constructor(
    private readonly db: Executor,
    private readonly clock: Clock,
    private readonly settings: AuthSettings,
    private readonly throttle: LoginThrottle,
  ) {}

  /** Starts a session; the returned token is the cookie value and is not stored anywhere. */
  async create(userId: string, organizationId: string | null, kind: SessionKind, db: Executor = this.db): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session: Session = {
      idHash: hashSessionToken(token),
      userId,
      organizationId,
      kind,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.settings.sessionAbsoluteMs,
    };
    await insertSession(db, session);
    await this.purgeExpired(db);
    return { token, session };
  }

  /**
   * Email and password sign-in. Failures answer the same whether the email exists or not. The
   * attempt is reserved before the password is hashed: beyond the limits, nothing is evaluated.
   */
  async signIn(input: SignIn): Promise<{ token: string; session: Session; user: User }> {
    const email = input.email.trim().toLowerCase();
    const attempt = await this.throttle.begin(email, input.ip);
    const row = await findUserRowByEmail(this.db, email);
    const ok = await verifyPassword(input.password, row?.password_hash ?? null);
    if (!row || !ok) throw new AppError('invalid_credentials', 'The email address or the password is wrong.');
    await attempt.succeeded();
    if (row.password_hash && needsRehash(row.password_hash)) {
      // Made with weaker parameters than today's: replaced now that the password is at hand.
      await replacePasswordHash(this.db, row.id, row.password_hash, await hashPassword(input.password));
    }
    if (input.organizationId !== undefined && !(await findMembership(this.db, input.organizationId, row.id))) {
      throw new AppError('organization_not_found', `No organization has the id "${input.organizationId}".`);
    }
    const { token, session } = await this.create(row.id, input.organizationId ?? null, 'local');
    return { token, session, user: toUser(row) };
  }

  /** The person behind a session cookie, or 401 when it is unknown, ended or expired. */
  async resolve(token: string): Promise<UserActor> {
    const idHash = hashSessionToken(token);
    const session = await findSession(this.db, idHash);
    if (!session) throw new AppError('unauthenticated', 'Your session has ended. Sign in again.');
    const now = this.clock.now();
    if (session.expiresAt <= now || session.lastSeenAt + this.settings.sessionIdleMs <= now) {
      await deleteSession(this.db, idHash);
      throw new AppError('session_expired', 'Your session expired. Sign in again.');
    }
    const user = await findUserRow(this.db, session.userId);
    if (!user) throw new AppError('unauthenticated', 'Your session has ended. Sign in again.');
    if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) await touchSession(this.db, idHash, now);
    return {
      kind: 'user',
      userId: user.id,
      email: user.email,
      name: user.name,
      session: { idHash, organizationId: session.organizationId, csrfToken: session.csrfToken, expiresAt: session.expiresAt },
    };
  }

  async end(idHash: string): Promise<void> {
    await deleteSession(this.db, idHash);
  }

  async describe(actor: UserActor): Promise<SessionView> {
    const all = await listMembershipsWithOrganization(this.db, actor.userId);
    const bound = actor.session.organizationId;
    return {
      user: { id: actor.userId, email: actor.email, name: actor.name },
      memberships: bound === null ? all : all.filter((m) => m.organizationId === bound),
      organizationId: bound,
      csrfToken: actor.session.csrfToken,
      expiresAt: actor.session.expiresAt,
    };
  }

  /** Expired rows are deleted now and then, on sign-in, rather than by a separate job. */
  private async purgeExpired(db: Executor): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastPurge < 60 * 60 * 1000) return;
    this.lastPurge = now;
    await deleteExpiredSessions(db, now, this.settings.sessionIdleMs);
  }
}
