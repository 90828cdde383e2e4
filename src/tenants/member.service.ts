// Rules for members: the platform adds people to an organization with a role, changes the
// role, removes them. Demotion and removal end the person's sessions at once.
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { Db, Executor } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { recordAudit } from './audit.repository.ts';
import type { Member, Role } from './member.ts';
import { deleteMembership, findMembership, insertMembership, listMembers, updateMembershipRole } from './member.repository.ts';
import { findOrganization } from './organization.repository.ts';
import { hashPassword } from './password.ts';
import { deleteLocalSessionsOfUser, deleteSessionsReaching } from './session.repository.ts';
import { findUserRow, findUserRowByEmail, insertUser, updateUser } from './user.repository.ts';

export interface PutMember {
  email: string;
  name: string;
  role: Role;
  /** Lets the person sign in with email and password (standalone deployments, the demo). */
  password?: string;
}

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

export class MemberService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Creates or updates the user and their membership; `created` tells whether the membership is new. */
  async put(organizationId: string, userId: string, input: PutMember, actor: Actor): Promise<{ member: Member; created: boolean }> {
    // Hashing is slow on purpose: done before the transaction, which then stays short.
    const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
    const email = input.email.trim().toLowerCase();
    return this.db.transaction().execute(async (tx) => {
      await this.requireOrganization(tx, organizationId);
      const now = this.clock.now();
      const taken = await findUserRowByEmail(tx, email);
      if (taken && taken.id !== userId) {
        throw new AppError('email_taken', `Another user already has the email address ${email}.`);
      }
      const user = await findUserRow(tx, userId);
      const changed: string[] = [];
      if (!user) {
        await insertUser(tx, { id: userId, email, name: input.name, password_hash: passwordHash ?? null, created_at: now, updated_at: now });
      } else {
        if (user.email !== email) changed.push('email');
        if (user.name !== input.name) changed.push('name');
        if (passwordHash !== undefined) changed.push('password');
        if (changed.length > 0) {
          await updateUser(tx, userId, { email, name: input.name, updated_at: now, ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}) });
        }
        if (passwordHash !== undefined) await deleteLocalSessionsOfUser(tx, userId);
      }

      const audit = { organizationId, actor, target: `user:${userId}`, at: now };
      const membership = await findMembership(tx, organizationId, userId);
      if (!membership) {
        await insertMembership(tx, { organizationId, userId, role: input.role, createdAt: now, updatedAt: now });
        await recordAudit(tx, { ...audit, action: 'member.added', details: { email, role: input.role } });
      } else {
        if (membership.role !== input.role) {
          await updateMembershipRole(tx, organizationId, userId, input.role, now);
          if (RANK[input.role] < RANK[membership.role]) await deleteSessionsReaching(tx, userId, organizationId);
          await recordAudit(tx, { ...audit, action: 'member.role_changed', details: { email, from: membership.role, to: input.role } });
        }
        if (changed.length > 0) await recordAudit(tx, { ...audit, action: 'member.updated', details: { email, changed } });
      }
      const member = (await listMembers(tx, organizationId)).find((m) => m.userId === userId);
      if (!member) throw new Error(`membership ${organizationId}/${userId} vanished inside its transaction`);
      return { member, created: !membership };
    });
  }

  async remove(organizationId: string, userId: string, actor: Actor): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await this.requireOrganization(tx, organizationId);
      const membership = await findMembership(tx, organizationId, userId);
      if (!membership) throw new AppError('member_not_found', `User "${userId}" is not a member of organization "${organizationId}".`);
      await deleteMembership(tx, organizationId, userId);
      await deleteSessionsReaching(tx, userId, organizationId);
      const user = await findUserRow(tx, userId);
      await recordAudit(tx, {
        organizationId,
        actor,
        action: 'member.removed',
        target: `user:${userId}`,
        details: { email: user?.email ?? null, role: membership.role },
        at: this.clock.now(),
      });
    });
  }

  async list(organizationId: string): Promise<Member[]> {
    await this.requireOrganization(this.db, organizationId);
    return listMembers(this.db, organizationId);
  }

  /** The user's role in the organization, or undefined when not a member. */
  async roleOf(organizationId: string, userId: string): Promise<Role | undefined> {
    return (await findMembership(this.db, organizationId, userId))?.role;
  }

  private async requireOrganization(db: Executor, organizationId: string): Promise<void> {
    if (!(await findOrganization(db, organizationId))) {
      throw new AppError('organization_not_found', `No organization has the id "${organizationId}".`);
    }
  }
}
