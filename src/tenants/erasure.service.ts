// Erasure: one person's address removed from everything an organization holds about them
// (GDPR art. 17), and the deletion of a whole organization. Both are recorded in the audit log,
// never with the erased address.
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import type { Db } from '../store/store.ts';
import { countSendingFor, countUnfinished, deleteOrganizationMail, eraseAddressFromMail, type AddressErasure } from '../outbox/outbox.ts';
import type { Actor } from './actor.ts';
import { recordAudit, redactAddressInAudit } from './audit.repository.ts';
import { findOrganization } from './organization.repository.ts';
import { deleteMembersOf, deleteOrganizationRow } from './organization-deletion.repository.ts';

export interface ErasureReport extends AddressErasure {
  /** Quote it to the person: the audit log's entry for this erasure carries the same id. */
  erasureId: string;
  /** Audit entries that named the address (now `[erased]`). */
  auditEntries: number;
}

export interface OrganizationDeletion {
  organizationId: string;
  messages: number;
  events: number;
  members: number;
  /** People who belonged to no other organization, deleted with their sessions. */
  people: number;
  relayDeleted: boolean;
  /** Unfinished messages deleted with `force` (queued, deferred, sending). */
  unfinished: number;
}

export interface ErasureDeps {
  db: Db;
  clock: Clock;
  /** Deletes the organization's relay and its secrets (revoking a connected mailbox's token); true when there was one. */
  removeRelay: (organizationId: string, actor: Actor) => Promise<boolean>;
}

export class ErasureService {
  constructor(private readonly deps: ErasureDeps) {}

  async eraseAddress(organizationId: string, email: string, actor: Actor): Promise<ErasureReport> {
    const { db, clock } = this.deps;
    await this.requireOrganization(organizationId);
    const address = email.trim().toLowerCase();
    const sending = await countSendingFor(db, organizationId, address);
    if (sending > 0) {
      throw new AppError(
        'messages_in_flight',
        `${sending} message(s) to this address are being sent right now; nothing was erased. Try again in a minute, once they are sent.`,
        { sending },
      );
    }
    const now = clock.now();
    const mail = await eraseAddressFromMail(db, { organizationId, address, now });
    const erasureId = newId('era', now);
    const auditEntries = await db.transaction().execute(async (tx) => {
      const redacted = await redactAddressInAudit(tx, organizationId, address, '[erased]');
      await recordAudit(tx, {
        organizationId,
        actor,
        action: 'personal-data.erased',
        target: erasureId,
        details: { ...mail, auditEntries: redacted },
        at: now,
      });
      return redacted;
    });
    return { erasureId, ...mail, auditEntries };
  }

  /**
   * Deletes the organization with its relay (and secrets), members, messages and events.
   * Refused while messages are queued, deferred or being sent, unless `force`.
   */
  async deleteOrganization(organizationId: string, options: { force: boolean }, actor: Actor): Promise<OrganizationDeletion> {
    const { db, clock } = this.deps;
    await this.requireOrganization(organizationId);
    const unfinished = await countUnfinished(db, organizationId);
    const inFlight = unfinished.queued + unfinished.deferred + unfinished.sending;
    if (inFlight > 0 && !options.force) {
      throw new AppError(
        'messages_in_flight',
        `The organization still has ${inFlight} message(s) to deliver; nothing was deleted. Wait until they are sent, or delete anyway with ?force=true (they will not be sent).`,
        unfinished,
      );
    }
    // The relay first: its secrets are the most sensitive rows, and no message may leave through it afterwards.
    const relayDeleted = await this.deps.removeRelay(organizationId, actor);
    const mail = await deleteOrganizationMail(db, { organizationId, unfinishedToo: options.force });
    const now = clock.now();
    const last = await db.transaction().execute(async (tx) => {
      // What arrived during the batches, and (without force) a message accepted meanwhile.
      const latest = await countUnfinished(tx, organizationId);
      if (!options.force && latest.queued + latest.deferred + latest.sending > 0) {
        throw new AppError('messages_in_flight', 'A message was accepted for the organization while it was being deleted; try again.', latest);
      }
      const rest = await deleteOrganizationMail(tx, { organizationId, unfinishedToo: true });
      const people = await deleteMembersOf(tx, organizationId);
      await deleteOrganizationRow(tx, organizationId);
      const report = {
        messages: mail.messages + rest.messages,
        events: mail.events + rest.events,
        ...people,
        relayDeleted,
        unfinished: options.force ? inFlight : 0,
      };
      // Kept until the audit log's own retention: who deleted the organization, and what went.
      await recordAudit(tx, { organizationId, actor, action: 'organization.deleted', target: 'organization', details: { ...report, force: options.force }, at: now });
      return report;
    });
    return { organizationId, ...last };
  }

  private async requireOrganization(organizationId: string): Promise<void> {
    if (!(await findOrganization(this.deps.db, organizationId))) {
      throw new AppError('organization_not_found', `No organization has the id "${organizationId}".`);
    }
  }
}
