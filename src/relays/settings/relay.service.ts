// Rules for an organization's relay: what may be saved, when a stored password may be kept,
// how the status moves, and what activation requires.
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { recordEvent, releaseWaitingMail } from '../../outbox/outbox.ts';
import type { SecretKeys } from '../../secrets/key-source.ts';
import { resolveSmtpTarget } from '../../smtp/address-guard.ts';
import type { TransportSettings } from '../../smtp/transport.ts';
import type { Db, Executor } from '../../store/store.ts';
import type { Actor } from '../../tenants/actor.ts';
import { findOrganization, recordAudit } from '../../tenants/tenants.ts';
import { deleteRelay, findRelayByOrganization, insertRelay, replaceRelay } from './relay.repository.ts';
import { relayTransportSettings, type RelayConnectionOptions } from '../sending/relay-transport.ts';
import { authIdentityChanged, isOAuth, PASSWORD_AUTH, secretName, type RelayAuth } from '../relay-auth.ts';
import { relayAuthenticator, resolveAuth, secretPurpose, type RelayOAuthOptions, type RelaySignIn } from './relay-oauth.ts';
import { ConnectedRefresh } from './connected-refresh.ts';
import type { AccessToken } from '../../smtp/oauth/token-provider.ts';
import type { SmtpAuthenticator } from '../../smtp/authenticator.ts';
import { OAuthTokenCache } from '../../smtp/oauth/token-cache.ts';
import { auditedSettings, changedFields, passwordRequired, relayChanged, relayNotFound, requireEncryption, settingsOf, statusAfterCheck, type SaveRelayInput } from './relay-changes.ts';
import {
  CONNECTION_FIELDS,
  HEALTHY,
  isVerified,
  passwordBoundChanges,
  passwordRequiredReason,
  type Relay,
  type RelayStatus,
} from '../relay.ts';

export interface RelayServiceDeps {
  db: Db;
  clock: Clock;
  secrets: SecretKeys;
  connection: RelayConnectionOptions;
  /** OAuth2 app sign-in: the operator's token endpoints and the in-memory token cache. */
  oauth?: RelayOAuthOptions;
  /** Called after a change made waiting mail due again, to wake the dispatchers. */
  onMessagesDue?: () => void;
  /** Other processes share the database (the backend's capability; default true, the cautious answer). */
  sharedAcrossProcesses?: boolean;
}

/** What a transaction returns: its result, and whether it made waiting mail due (wake the dispatchers once committed). */
interface Committed<T> {
  result: T;
  madeDue: boolean;
}

export class RelayService {
  private readonly connectedRefresh: ConnectedRefresh;

  constructor(private readonly deps: RelayServiceDeps) {
    const { db, clock, secrets, oauth, sharedAcrossProcesses = true } = deps;
    this.connectedRefresh = new ConnectedRefresh({ db, clock, secrets, sharedAcrossProcesses, ...(oauth ? { oauth } : {}) });
  }

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
    requireEncryption(input, this.deps.connection.allowPrivate);
    // Resolve and check the host now, so an address Relais would refuse is refused at save
    // time with a reason (the same check runs again before every connection).
    await resolveSmtpTarget(input.host, input.port, this.guardOptions());
    const { clock } = this.deps;
    return this.committing(async (tx): Promise<Committed<{ relay: Relay; created: boolean }>> => {
      await this.requireOrganization(tx, organizationId);
      const existing = await findRelayByOrganization(tx, organizationId);
      const now = clock.now();
      if (!existing) {
        const auth = resolveAuth(input.auth, undefined);
        if (input.password === undefined) throw passwordRequired(`A ${secretName(auth.type)} is required to set up the relay.`);
        const id = newId('rly', now);
        const relay: Relay = {
          ...settingsOf(input, null, auth),
          id,
          organizationId,
          version: 1,
          sealedPassword: this.seal(input.password, organizationId, id, auth),
          status: 'unverified',
          statusChangedAt: now,
          activeSince: null,
          verifiedVersion: null,
          verifiedAt: null,
          lastCheck: null,
          health: HEALTHY,
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
        return { result: { relay, created: true }, madeDue: false };
      }

      const auth = resolveAuth(input.auth, existing.auth);
      const changed = changedFields(existing, { ...input, auth });
      const passwordBound = passwordBoundChanges(existing, input);
      const identityChanged = authIdentityChanged(existing.auth, auth);
      if (input.password === undefined && identityChanged) {
        throw passwordRequired(`Enter the ${secretName(auth.type)} again: the sign-in method or the application changed, and a stored secret only ever serves the application it was saved for.`);
      }
      if (input.password === undefined && passwordBound.length > 0) throw passwordRequired(passwordRequiredReason(passwordBound));
      const passwordChanged = input.password !== undefined && (identityChanged || !this.samePassword(existing, input.password));
      if (changed.length === 0 && !passwordChanged) return { result: { relay: existing, created: false }, madeDue: false };

      const voidsVerification = passwordChanged || identityChanged || CONNECTION_FIELDS.some((f) => changed.includes(f));
      const version = existing.version + 1;
      const next: Relay = {
        ...existing,
        ...settingsOf(input, existing.limits, auth),
        version,
        sealedPassword: passwordChanged && input.password !== undefined ? this.seal(input.password, organizationId, existing.id, auth) : existing.sealedPassword,
        updatedAt: now,
        ...(voidsVerification
          ? // Out of use until verified again: an incident of the old settings ends with them.
            { status: 'unverified' as const, statusChangedAt: existing.status === 'unverified' ? existing.statusChangedAt : now, activeSince: null, health: HEALTHY }
          : // A name, Reply-To or policy change cannot change what a check would find: the
            // verification and the status carry over to the new version.
            { verifiedVersion: isVerified(existing) ? version : existing.verifiedVersion }),
      };
      if (!(await replaceRelay(tx, next, existing.version))) throw relayChanged();
      // The old settings' access token is forgotten at once (a new version never uses it anyway).
      this.deps.oauth?.tokens.drop(existing.id);
      await recordAudit(tx, {
        organizationId,
        actor,
        action: 'relay.saved',
        target: 'smtp-relay',
        details: {
          version,
          changed: [...changed, ...(passwordChanged ? [auth.type === 'password' ? 'password' : 'secret'] : [])],
          ...(next.status !== existing.status ? { status: { from: existing.status, to: next.status } } : {}),
          ...auditedSettings(next),
        },
        at: now,
      });
      // Held mail, or mail waiting for a limit, is routed again under the new settings.
      const madeDue = await this.releaseWaiting(tx, organizationId, now);
      return { result: { relay: next, created: false }, madeDue };
    });
  }

  /** Deletes the relay and its password. Idempotent: returns whether there was one. */
  async remove(organizationId: string, actor: Actor): Promise<boolean> {
    return this.committing(async (tx) => {
      await this.requireOrganization(tx, organizationId);
      const removed = await deleteRelay(tx, organizationId);
      if (!removed) return { result: false, madeDue: false };
      this.deps.oauth?.tokens.drop(removed.id);
      const madeDue = await this.releaseWaiting(tx, organizationId, this.deps.clock.now());
      await recordAudit(tx, {
        organizationId,
        actor,
        action: 'relay.deleted',
        target: 'smtp-relay',
        details: { version: removed.version, status: removed.status, host: removed.host, fromEmail: removed.fromEmail },
        at: this.deps.clock.now(),
      });
      return { result: true, madeDue };
    });
  }

  /**
   * Records the outcome of a check of the saved settings `version` (the flight check, or the
   * verification: the same check up to sign-in); `errorCode` is the failure's explanation id. A pass makes that version activatable; a failure withdraws it.
   * An outcome about a version that was replaced during the check changes nothing.
   */
  async recordCheck(
    organizationId: string,
    version: number,
    outcome: { passed: boolean; errorCode: string | null; reply: string | null; failedStep: string | null },
    actor: Actor,
  ): Promise<Relay> {
    const { clock } = this.deps;
    const updated = await this.committing(async (tx): Promise<Committed<Relay | undefined>> => {
      const current = await findRelayByOrganization(tx, organizationId);
      // Settings saved during the check: the outcome is about settings that no longer exist.
      if (!current || current.version !== version) return { result: current, madeDue: false };
      const now = clock.now();
      const status = statusAfterCheck(current.status, outcome.passed);
      const endsIncident = current.status === 'failing' && status === 'active';
      const next: Relay = {
        ...current,
        lastCheck: { version: current.version, at: now, passed: outcome.passed, errorCode: outcome.errorCode, reply: outcome.reply },
        verifiedVersion: outcome.passed ? current.version : current.verifiedVersion === current.version ? null : current.verifiedVersion,
        verifiedAt: outcome.passed ? now : current.verifiedAt,
        status,
        statusChangedAt: status === current.status ? current.statusChangedAt : now,
        // A passed check of the settings in use is a fresh start for relay health.
        health: endsIncident ? HEALTHY : outcome.passed ? { ...current.health, consecutiveFailures: 0 } : current.health,
        updatedAt: now,
      };
      if (!(await replaceRelay(tx, next, current.version))) return { result: await findRelayByOrganization(tx, organizationId), madeDue: false };
      let madeDue = false;
      if (endsIncident) {
        const failingSince = new Date(current.health.failingSince ?? current.statusChangedAt).toISOString();
        await recordEvent(tx, { organizationId, type: 'relay.recovered', data: { relayId: current.id, version: current.version, by: 'owner', failingSince }, at: now });
        madeDue = await this.releaseWaiting(tx, organizationId, now, 'all');
      }
      await recordAudit(tx, {
        organizationId,
        actor,
        action: 'relay.checked',
        target: 'smtp-relay',
        details: { version: current.version, passed: outcome.passed, ...(outcome.failedStep ? { failedStep: outcome.failedStep, errorCode: outcome.errorCode } : {}) },
        at: now,
      });
      return { result: next, madeDue };
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
    return this.committing(async (tx) => {
      const org = await this.requireOrganization(tx, organizationId);
      const relay = await findRelayByOrganization(tx, organizationId);
      if (!relay) throw relayNotFound(organizationId);
      if (!org.features.customSmtp) {
        throw new AppError(
          'custom_smtp_disabled',
          'Custom sending (SMTP) is not enabled for this organization; the platform turns it on with features.customSmtp.',
        );
      }
      if (relay.status === 'active') return { result: relay, madeDue: false };
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
    return this.committing(async (tx) => {
      await this.requireOrganization(tx, organizationId);
      const relay = await findRelayByOrganization(tx, organizationId);
      if (!relay) throw relayNotFound(organizationId);
      if (relay.status !== 'active' && relay.status !== 'failing') return { result: relay, madeDue: false };
      return this.moveTo(tx, relay, isVerified(relay) ? 'off' : 'unverified', actor, 'relay.deactivated');
    });
  }

  /** The plaintext password, for the relay's own connections only. */
  openPassword(relay: Relay): string {
    return this.deps.secrets.open(relay.sealedPassword, { organizationId: relay.organizationId, relayId: relay.id, purpose: secretPurpose(relay.auth) });
  }

  /** How delivery connects to this relay (checks connect alike: relay-sign-in.ts). */
  transportSettings(relay: Relay): TransportSettings {
    const authenticator = this.authenticator(relay);
    if (!authenticator) return relayTransportSettings(relay, this.openPassword(relay), this.deps.connection);
    const { auth: _password, ...settings } = relayTransportSettings(relay, '', this.deps.connection);
    return { ...settings, authenticator };
  }

  /**
   * The XOAUTH2 authenticator of settings not saved (a check of what the owner typed), with a
   * token cache of its own: a token of unsaved settings is never used for the relay's mail.
   */
  unsavedAuthenticator(auth: RelayAuth, username: string, secret: string): SmtpAuthenticator {
    const oauth = this.deps.oauth;
    if (!oauth) throw new Error('OAuth2 sign-in is not configured in this process');
    const tokens = new OAuthTokenCache(this.deps.clock);
    return relayAuthenticator({ id: 'unsaved', version: 0, username, auth }, secret, { ...oauth, tokens }, this.deps.clock);
  }

  /** A check of unsaved settings keeping the saved connected mailbox: its refresh token (rotations saved), access tokens of its own. */
  unsavedConnectedAuthenticator(relay: Relay): SmtpAuthenticator {
    const oauth = this.deps.oauth;
    if (!oauth) throw new Error('OAuth2 sign-in is not configured in this process');
    const tokens = new OAuthTokenCache(this.deps.clock);
    return relayAuthenticator(relay, '', { ...oauth, tokens, connected: (r) => this.refreshConnected(r) }, this.deps.clock);
  }

  /** OAuth2 relays: signs in with XOAUTH2, tokens from the cache of this relay version. Password relays: undefined. */
  authenticator(relay: Relay): SmtpAuthenticator | undefined {
    if (!isOAuth(relay.auth)) return undefined;
    const oauth = this.deps.oauth;
    if (!oauth) throw new Error('OAuth2 sign-in is not configured in this process');
    return relayAuthenticator(relay, this.openPassword(relay), { ...oauth, connected: (r) => this.refreshConnected(r) }, this.deps.clock);
  }

  /** A connected mailbox's new access token from its refresh token, the rotated one saved (connected-refresh.ts). */
  refreshConnected(relay: RelaySignIn): Promise<AccessToken> {
    return this.connectedRefresh.refresh(relay);
  }

  private async moveTo(tx: Executor, relay: Relay, status: RelayStatus, actor: Actor, action: 'relay.activated' | 'relay.deactivated'): Promise<Committed<Relay>> {
    const now = this.deps.clock.now();
    const next: Relay = {
      ...relay,
      status,
      statusChangedAt: now,
      activeSince: status === 'active' ? now : null,
      // Activating starts afresh; deactivating ends an incident.
      health: HEALTHY,
      updatedAt: now,
    };
    if (!(await replaceRelay(tx, next, relay.version))) throw relayChanged();
    const madeDue = await this.releaseWaiting(tx, relay.organizationId, now);
    await recordEvent(tx, { organizationId: relay.organizationId, type: action, data: { relayId: relay.id, version: relay.version, status }, at: now });
    await recordAudit(tx, {
      organizationId: relay.organizationId,
      actor,
      action,
      target: 'smtp-relay',
      details: { version: relay.version, status: { from: relay.status, to: status } },
      at: now,
    });
    return { result: next, madeDue };
  }

  /**
   * Makes mail waiting for the relay (held, or at a limit; with `all`, every deferred message
   * too) due now, so it is routed under the relay's new state. Returns whether any was: the
   * caller's transaction says so in its result, and the dispatchers are woken once it commits.
   */
  private async releaseWaiting(tx: Executor, organizationId: string, now: number, which: 'waiting' | 'all' = 'waiting'): Promise<boolean> {
    return releaseWaitingMail(tx, { organizationId, now, which: which === 'waiting' ? 'waiting-for-relay' : 'all' });
  }

  /**
   * Runs `work` in one transaction and returns its result; wakes the dispatchers once it has
   * committed if it made waiting mail due (a rolled-back one wakes nobody). Each call keeps its
   * own answer: nothing is shared between concurrent transactions.
   */
  private async committing<T>(work: (tx: Executor) => Promise<Committed<T>>): Promise<T> {
    const { result, madeDue } = await this.deps.db.transaction().execute(work);
    if (madeDue) this.deps.onMessagesDue?.();
    return result;
  }

  private async requireOrganization(db: Executor, organizationId: string) {
    const org = await findOrganization(db, organizationId);
    if (!org) throw new AppError('organization_not_found', `No organization has the id "${organizationId}".`);
    return org;
  }

  private guardOptions() {
    const { allowedPorts, allowPrivate, resolver } = this.deps.connection;
    return { allowedPorts, allowPrivate, ...(resolver ? { resolver } : {}) };
  }

  /** Seals a password for this relay record only (envelope encryption bound to organization and relay ids). */
  sealPassword(relay: Pick<Relay, 'id' | 'organizationId'> & { auth?: RelayAuth }, password: string): string {
    return this.seal(password, relay.organizationId, relay.id, relay.auth ?? PASSWORD_AUTH);
  }

  private seal(password: string, organizationId: string, relayId: string, auth: RelayAuth): string {
    return this.deps.secrets.seal(password, { organizationId, relayId, purpose: secretPurpose(auth) });
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
