// Rules for an organization's relay: what may be saved, when a stored password may be kept,
// how the status moves, and what activation requires.
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { SecretKeys } from '../secrets/key-source.ts';
import { resolveSmtpTarget } from '../smtp/address-guard.ts';
import { checkConnection, type ConnectionCheckResult } from '../smtp/connection-check.ts';
import type { TransportSettings } from '../smtp/transport.ts';
import type { Db, Executor } from '../store/store.ts';
import type { Actor } from '../tenants/actor.ts';
import { recordAudit } from '../tenants/audit.repository.ts';
import { findOrganization } from '../tenants/organization.repository.ts';
import { deleteRelay, findRelayByOrganization, insertRelay, replaceRelay } from './relay.repository.ts';
import { relayTransportSettings, type RelayConnectionOptions } from './relay-transport.ts';
import {
  CONNECTION_FIELDS,
  PASSWORD_BOUND_FIELDS,
  SMTP_PASSWORD_PURPOSE,
  isVerified,
  sameHost,
  type Relay,
  type RelaySettings,
  type RelayStatus,
} from './relay.ts';

/** A PUT: the settings, and the password when the owner typed one. */
export interface SaveRelayInput extends RelaySettings {
  password?: string;
}

export interface RelayServiceDeps {
  db: Db;
  clock: Clock;
  secrets: SecretKeys;
  connection: RelayConnectionOptions;
  /** The verification engine; tests may replace it. */
  check?: (settings: TransportSettings) => Promise<ConnectionCheckResult>;
}

export class RelayService {
  constructor(private readonly deps: RelayServiceDeps) {}

  async get(organizationId: string): Promise<Relay> {
    await this.requireOrganization(this.deps.db, organizationId);
    const relay = await findRelayByOrganization(this.deps.db, organizationId);
    if (!relay) throw relayNotFound(organizationId);
    return relay;
  }

  /** The relay, or undefined when the organization has none (status views). */
  async find(organizationId: string): Promise<{ customSmtp: boolean; relay: Relay | undefined }> {
    const org = await this.requireOrganization(this.deps.db, organizationId);
    return { customSmtp: org.features.customSmtp, relay: await findRelayByOrganization(this.deps.db, organizationId) };
  }

  /**
   * Creates or replaces the relay. Every change makes a new version; a change to what a
   * verification depends on (server, credentials, sender address, certificate rule) makes it
   * `unverified` and takes it out of use at once. Returns whether it was created.
   */
  async save(organizationId: string, input: SaveRelayInput, actor: Actor): Promise<{ relay: Relay; created: boolean }> {
    await this.requireOrganization(this.deps.db, organizationId);
    this.checkSecurity(input);
    // Resolve and check the host now, so an address Relais would refuse is refused at save
    // time with a reason (the same check runs again before every connection).
    await resolveSmtpTarget(input.host, input.port, this.guardOptions());
    const { db, clock } = this.deps;
    return db.transaction().execute(async (tx) => {
      await this.requireOrganization(tx, organizationId);
      const existing = await findRelayByOrganization(tx, organizationId);
      const now = clock.now();
      if (!existing) {
        if (input.password === undefined) throw passwordRequired('A password is required to set up the relay.');
        const id = newId('rly', now);
        const relay: Relay = {
          ...settingsOf(input),
          id,
          organizationId,
          version: 1,
          sealedPassword: this.seal(input.password, organizationId, id),
          status: 'unverified',
          statusChangedAt: now,
          activeSince: null,
          verifiedVersion: null,
          verifiedAt: null,
          lastCheck: null,
          createdAt: now,
          updatedAt: now,
        };
        await insertRelay(tx, relay);
        await recordAudit(tx, {
          organizationId,
          actor,
          action: 'relay.saved',
          target: 'smtp-relay',
          details: { version: 1, created: true, ...auditedSettings(relay) },
          at: now,
        });
        return { relay, created: true };
      }

      const changed = changedFields(existing, input);
      const passwordBoundChanged = PASSWORD_BOUND_FIELDS.some((f) => changed.includes(f));
      if (input.password === undefined && passwordBoundChanged) {
        throw passwordRequired(
          'Enter the password again: the server address, port or user name changed, and a stored password is never sent to another server.',
        );
      }
      const passwordChanged = input.password !== undefined && !this.samePassword(existing, input.password);
      if (changed.length === 0 && !passwordChanged) return { relay: existing, created: false };

      const voidsVerification = passwordChanged || CONNECTION_FIELDS.some((f) => changed.includes(f));
      const version = existing.version + 1;
      const next: Relay = {
        ...existing,
        ...settingsOf(input),
        version,
        sealedPassword: passwordChanged && input.password !== undefined ? this.seal(input.password, organizationId, existing.id) : existing.sealedPassword,
        updatedAt: now,
        ...(voidsVerification
          ? { status: 'unverified' as const, statusChangedAt: existing.status === 'unverified' ? existing.statusChangedAt : now, activeSince: null }
          : // A name, Reply-To or policy change cannot change what a check would find: the
            // verification and the status carry over to the new version.
            { verifiedVersion: isVerified(existing) ? version : existing.verifiedVersion }),
      };
      if (!(await replaceRelay(tx, next, existing.version))) throw relayChanged();
      await recordAudit(tx, {
        organizationId,
        actor,
        action: 'relay.saved',
        target: 'smtp-relay',
        details: {
          version,
          changed: [...changed, ...(passwordChanged ? ['password'] : [])],
          ...(next.status !== existing.status ? { status: { from: existing.status, to: next.status } } : {}),
          ...auditedSettings(next),
        },
        at: now,
      });
      return { relay: next, created: false };
    });
  }

  /** Deletes the relay and its password. Idempotent: returns whether there was one. */
  async remove(organizationId: string, actor: Actor): Promise<boolean> {
    return this.deps.db.transaction().execute(async (tx) => {
      await this.requireOrganization(tx, organizationId);
      const removed = await deleteRelay(tx, organizationId);
      if (!removed) return false;
      await recordAudit(tx, {
        organizationId,
        actor,
        action: 'relay.deleted',
        target: 'smtp-relay',
        details: { version: removed.version, status: removed.status, host: removed.host, fromEmail: removed.fromEmail },
        at: this.deps.clock.now(),
      });
      return true;
    });
  }

  /**
   * Connects with the saved settings (connect, TLS, authenticate) and records the outcome for
   * the version it checked. A pass makes that version activatable; a failure withdraws it.
   */
  async verify(organizationId: string, actor: Actor): Promise<{ relay: Relay; check: ConnectionCheckResult; version: number }> {
    const relay = await this.get(organizationId);
    const settings = this.transportSettings(relay);
    const check = await (this.deps.check ?? checkConnection)(settings);
    const updated = await this.recordCheck(
      organizationId,
      relay.version,
      { passed: check.passed, errorCode: check.failure?.code ?? null, reply: check.failure?.reply ?? null, failedStep: check.failure?.step ?? null },
      actor,
    );
    return { relay: updated, check, version: relay.version };
  }

  /**
   * Records the outcome of a check of the saved settings `version` (the connection check or
   * the full flight check). A pass makes that version activatable; a failure withdraws it.
   * An outcome about a version that was replaced during the check changes nothing.
   */
  async recordCheck(
    organizationId: string,
    version: number,
    outcome: { passed: boolean; errorCode: string | null; reply: string | null; failedStep: string | null },
    actor: Actor,
  ): Promise<Relay> {
    const { db, clock } = this.deps;
    const updated = await db.transaction().execute(async (tx) => {
      const current = await findRelayByOrganization(tx, organizationId);
      // Settings saved during the check: the outcome is about settings that no longer exist.
      if (!current || current.version !== version) return current;
      const now = clock.now();
      const status = statusAfterCheck(current.status, outcome.passed);
      const next: Relay = {
        ...current,
        lastCheck: { version: current.version, at: now, passed: outcome.passed, errorCode: outcome.errorCode, reply: outcome.reply },
        verifiedVersion: outcome.passed ? current.version : current.verifiedVersion === current.version ? null : current.verifiedVersion,
        verifiedAt: outcome.passed ? now : current.verifiedAt,
        status,
        statusChangedAt: status === current.status ? current.statusChangedAt : now,
        updatedAt: now,
      };
      if (!(await replaceRelay(tx, next, current.version))) return findRelayByOrganization(tx, organizationId);
      await recordAudit(tx, {
        organizationId,
        actor,
        action: 'relay.checked',
        target: 'smtp-relay',
        details: { version: current.version, passed: outcome.passed, ...(outcome.failedStep ? { failedStep: outcome.failedStep, errorCode: outcome.errorCode } : {}) },
        at: now,
      });
      return next;
    });
    if (!updated) throw relayNotFound(organizationId);
    return updated;
  }

  /** Guard options and trust settings for connections to relays (the flight check uses the same). */
  get connectionOptions(): RelayConnectionOptions {
    return this.deps.connection;
  }

  /** Puts the relay in use from the next message on. Requires a passed check of exactly the saved version. */
  async activate(organizationId: string, actor: Actor): Promise<Relay> {
    return this.deps.db.transaction().execute(async (tx) => {
      const org = await this.requireOrganization(tx, organizationId);
      const relay = await findRelayByOrganization(tx, organizationId);
      if (!relay) throw relayNotFound(organizationId);
      if (!org.features.customSmtp) {
        throw new AppError(
          'custom_smtp_disabled',
          'Custom sending (SMTP) is not enabled for this organization; the platform turns it on with features.customSmtp.',
        );
      }
      if (relay.status === 'active') return relay;
      if (!isVerified(relay)) {
        throw new AppError(
          'relay_not_verified',
          relay.verifiedVersion === null
            ? 'Verify the relay before activating it: POST …/smtp-relay/verify must pass with the saved settings.'
            : `The saved settings (version ${relay.version}) have not passed a verification; the last passed one was version ${relay.verifiedVersion}. Verify again, then activate.`,
          { version: relay.version, verifiedVersion: relay.verifiedVersion },
        );
      }
      return this.moveTo(tx, relay, 'active', actor, 'relay.activated');
    });
  }

  /** Stops using the relay: the next message leaves through the platform sender. */
  async deactivate(organizationId: string, actor: Actor): Promise<Relay> {
    return this.deps.db.transaction().execute(async (tx) => {
      await this.requireOrganization(tx, organizationId);
      const relay = await findRelayByOrganization(tx, organizationId);
      if (!relay) throw relayNotFound(organizationId);
      if (relay.status !== 'active' && relay.status !== 'failing') return relay;
      return this.moveTo(tx, relay, isVerified(relay) ? 'off' : 'unverified', actor, 'relay.deactivated');
    });
  }

  /** The plaintext password, for the relay's own connections only. */
  openPassword(relay: Relay): string {
    return this.deps.secrets.open(relay.sealedPassword, { organizationId: relay.organizationId, relayId: relay.id, purpose: SMTP_PASSWORD_PURPOSE });
  }

  /** How delivery and verification connect to this relay. */
  transportSettings(relay: Relay): TransportSettings {
    return relayTransportSettings(relay, this.openPassword(relay), this.deps.connection);
  }

  private async moveTo(tx: Executor, relay: Relay, status: RelayStatus, actor: Actor, action: 'relay.activated' | 'relay.deactivated'): Promise<Relay> {
    const now = this.deps.clock.now();
    const next: Relay = {
      ...relay,
      status,
      statusChangedAt: now,
      activeSince: status === 'active' ? now : null,
      updatedAt: now,
    };
    if (!(await replaceRelay(tx, next, relay.version))) throw relayChanged();
    await recordAudit(tx, {
      organizationId: relay.organizationId,
      actor,
      action,
      target: 'smtp-relay',
      details: { version: relay.version, status: { from: relay.status, to: status } },
      at: now,
    });
    return next;
  }

  private async requireOrganization(db: Executor, organizationId: string) {
    const org = await findOrganization(db, organizationId);
    if (!org) throw new AppError('organization_not_found', `No organization has the id "${organizationId}".`);
    return org;
  }

  private checkSecurity(input: SaveRelayInput): void {
    if (input.security === 'none' && !this.deps.connection.allowPrivate) {
      throw new AppError(
        'smtp_plaintext_not_allowed',
        'Choose "tls" (port 465) or "starttls" (ports 587, 25, 2525): without encryption the password and every message would cross the network in clear.',
      );
    }
  }

  private guardOptions() {
    const { allowedPorts, allowPrivate, resolver } = this.deps.connection;
    return { allowedPorts, allowPrivate, ...(resolver ? { resolver } : {}) };
  }

  /** Seals a password for this relay record only (envelope encryption bound to organization and relay ids). */
  sealPassword(relay: Pick<Relay, 'id' | 'organizationId'>, password: string): string {
    return this.seal(password, relay.organizationId, relay.id);
  }

  private seal(password: string, organizationId: string, relayId: string): string {
    return this.deps.secrets.seal(password, { organizationId, relayId, purpose: SMTP_PASSWORD_PURPOSE });
  }

  private samePassword(relay: Relay, password: string): boolean {
    try {
      return this.openPassword(relay) === password;
    } catch {
      // Unreadable (lost key): the new one replaces it.
      return false;
    }
  }
}

function settingsOf(input: SaveRelayInput): RelaySettings {
  return {
    preset: input.preset,
    host: input.host,
    port: input.port,
    security: input.security,
    username: input.username,
    fromEmail: input.fromEmail,
    fromName: input.fromName,
    replyTo: input.replyTo,
    fallbackPolicy: input.fallbackPolicy,
    allowSelfSigned: input.allowSelfSigned,
  };
}

const SETTING_FIELDS = ['preset', 'host', 'port', 'security', 'username', 'fromEmail', 'fromName', 'replyTo', 'fallbackPolicy', 'allowSelfSigned'] as const;

/** Settings that differ between what is stored and what was sent. */
function changedFields(relay: Relay, input: SaveRelayInput): (typeof SETTING_FIELDS)[number][] {
  return SETTING_FIELDS.filter((field) => (field === 'host' ? !sameHost(relay.host, input.host) : relay[field] !== input[field]));
}

/** After a check: a pass makes an unverified relay ready (off), a failure makes a ready one unverified. In-use statuses are relay health's. */
function statusAfterCheck(status: RelayStatus, passed: boolean): RelayStatus {
  if (passed && status === 'unverified') return 'off';
  if (!passed && status === 'off') return 'unverified';
  return status;
}

/** What the audit log keeps of the settings: never the password. */
function auditedSettings(relay: Relay): Record<string, unknown> {
  return {
    preset: relay.preset,
    host: relay.host,
    port: relay.port,
    security: relay.security,
    username: relay.username,
    fromEmail: relay.fromEmail,
    fromName: relay.fromName,
    replyTo: relay.replyTo,
    fallbackPolicy: relay.fallbackPolicy,
    allowSelfSigned: relay.allowSelfSigned,
  };
}

function relayNotFound(organizationId: string): AppError {
  return new AppError('relay_not_found', `The organization "${organizationId}" has no SMTP relay; create one with PUT …/smtp-relay.`);
}

function relayChanged(): AppError {
  return new AppError('relay_changed', 'The relay was changed at the same time by someone else; reload it and try again.');
}

function passwordRequired(message: string): AppError {
  return new AppError('password_required', message);
}
