// The flight check of an organization's relay: the saved settings (a pass marks that exact
// version verified, which activation requires) or settings not saved yet (nothing recorded);
// verification, the same check stopped after sign-in; and port auto-detection. All three
// connect where an owner says, so all three draw on one budget (check-budget.ts).
import { AppError } from '../../errors.ts';
import type { Locale, PresetId } from '../../glossary.ts';
import { isValidAddress } from '../../outbox/message.ts';
import { detectSecurity, runFlightCheck, type FlightCheckReport, type FlightCheckStep, type SecurityDetection } from '../../smtp/flight-check.ts';
import type { Actor } from '../../tenants/actor.ts';
import type { CheckBudget } from './check-budget.ts';
import { credentialsOf, outcomeOf, relayCheckDeps, signInToRelay } from './relay-sign-in.ts';
import type { SmtpAuthenticator } from '../../smtp/authenticator.ts';
import type { RelayService } from './relay.service.ts';
import { passwordBoundChanges, passwordRequiredReason, type Relay, type RelaySecurity } from '../relay.ts';
import { authIdentityChanged, secretName } from '../relay-auth.ts';
import { resolveAuth, type RelayAuthInput } from './relay-oauth.ts';

/** Settings typed in the form but not saved: checked as they are. */
export interface UnsavedSettings {
  preset?: PresetId;
  host: string;
  port: number;
  security: RelaySecurity;
  username: string;
  password?: string;
  fromEmail: string;
  allowSelfSigned?: boolean;
  /** OAuth2 app sign-in (then `username` is the mailbox and `password` the application's secret, when typed). */
  auth?: RelayAuthInput;
}

export interface CheckRequest {
  settings?: UnsavedSettings;
  /** Recipient of RCPT TO and of the test email; the requesting owner's own address by default. */
  toEmail?: string;
  sendTestEmail?: boolean;
  /** Required to send the test email anywhere but the requester's own address. */
  confirmRecipient?: boolean;
  locale: Locale;
}

export interface CheckResult {
  report: FlightCheckReport;
  /** The saved version this check verified or withdrew; null for unsaved settings. */
  recordedVersion: number | null;
}

export interface VerifyResult {
  /** The flight check report, mode sign-in. */
  report: FlightCheckReport;
  /** The saved version this verification was about. */
  version: number;
  /** The relay after recording the outcome. */
  relay: Relay;
}

export class RelayCheckService {
  constructor(
    private readonly relays: RelayService,
    private readonly checkBudget: CheckBudget,
    private readonly ca?: string[],
  ) {}

  async check(organizationId: string, request: CheckRequest, actor: Actor, onStep?: (step: FlightCheckStep) => void): Promise<CheckResult> {
    const { relay } = await this.relays.find(organizationId);
    const ownAddress = actor.kind === 'user' ? actor.email : undefined;
    let target: UnsavedSettings & { password?: string; preset?: PresetId; authenticator?: SmtpAuthenticator; secretExpiresAt?: number };
    let savedVersion: number | null = null;
    if (request.settings?.auth && request.settings.auth.type !== 'password') {
      // The secret goes to the token endpoint only, never into the SMTP session as a password.
      const { password: _secret, ...settings } = request.settings;
      target = { ...settings, ...this.unsavedAppSignIn(request.settings, relay) };
    } else if (request.settings) {
      const s = request.settings;
      if (s.password === undefined) {
        // The stored password is only reused where it was saved, protected as it was saved.
        if (!relay) throw new AppError('password_required', 'Enter the password to check these settings.');
        // An application's secret is never tried as a password.
        if (relay.auth.type !== 'password') throw new AppError('password_required', 'Enter the password to check these settings: the saved relay signs in with an application, not a password.');
        const changed = passwordBoundChanges(relay, { ...s, allowSelfSigned: s.allowSelfSigned ?? false });
        if (changed.length > 0) throw new AppError('password_required', passwordRequiredReason(changed), { changed });
      }
      target = { ...s, ...(s.password === undefined && relay ? { password: this.relays.openPassword(relay) } : {}) };
    } else {
      if (!relay) throw new AppError('relay_not_found', 'This organization has no relay settings yet: save them, or send settings to check in the request.');
      target = {
        preset: relay.preset,
        host: relay.host,
        port: relay.port,
        security: relay.security,
        username: relay.username,
        ...credentialsOf(this.relays, relay),
        fromEmail: relay.fromEmail,
        allowSelfSigned: relay.allowSelfSigned,
      };
      savedVersion = relay.version;
    }

    const toEmail = request.toEmail ?? ownAddress ?? target.fromEmail;
    if (!isValidAddress(toEmail)) throw new AppError('invalid_address', `"${toEmail.slice(0, 100)}" is not a valid email address.`);
    const own = [ownAddress, target.fromEmail].filter(Boolean).map((a) => a?.toLowerCase());
    if (request.sendTestEmail && !own.includes(toEmail.toLowerCase()) && !request.confirmRecipient) {
      throw new AppError(
        'recipient_confirmation_required',
        `The test email would go to ${toEmail}, which is not your own address. Confirm the recipient (confirmRecipient: true) to send it there.`,
      );
    }

    await this.checkBudget.take(organizationId, actor.kind === 'user' ? actor.userId : undefined);
    const report = await runFlightCheck(
      {
        host: target.host,
        port: target.port,
        security: target.security,
        ...(target.username ? { username: target.username } : {}),
        ...(target.password !== undefined ? { password: target.password } : {}),
        ...(target.authenticator ? { authenticator: target.authenticator } : {}),
        ...(target.secretExpiresAt !== undefined ? { secretExpiresAt: target.secretExpiresAt } : {}),
        fromEmail: target.fromEmail,
        toEmail,
        sendTestEmail: request.sendTestEmail ?? false,
        ...(target.preset ? { preset: target.preset } : {}),
        allowSelfSigned: target.allowSelfSigned ?? false,
        locale: request.locale,
      },
      { ...relayCheckDeps(this.relays.connectionOptions, this.ca), padFailureTiming: true, ...(onStep ? { onStep } : {}) },
    );

    if (savedVersion === null) return { report, recordedVersion: null };
    await this.relays.recordCheck(organizationId, savedVersion, outcomeOf(report), actor);
    return { report, recordedVersion: savedVersion };
  }

  /**
   * App sign-in of unsaved settings: the secret typed, or the stored one when the application,
   * the mailbox and the server it is bound to are unchanged.
   */
  private unsavedAppSignIn(s: UnsavedSettings, relay: Relay | undefined): { authenticator: SmtpAuthenticator; secretExpiresAt?: number } {
    const auth = resolveAuth(s.auth, relay?.auth);
    if (auth.type === 'oauth2-connected') {
      // Only the saved connection has a refresh token (and its rotations are saved with it).
      if (!relay || authIdentityChanged(relay.auth, auth)) throw new AppError('oauth_connect_required', 'Use "Connect with Microsoft" or "Connect with Google" to connect this mailbox.');
      return { authenticator: this.relays.unsavedConnectedAuthenticator(relay) };
    }
    let secret = s.password;
    if (secret === undefined) {
      const bound = relay ? passwordBoundChanges(relay, { ...s, allowSelfSigned: s.allowSelfSigned ?? false }) : [];
      if (!relay || authIdentityChanged(relay.auth, auth) || bound.length > 0) {
        throw new AppError('password_required', `Enter the ${secretName(auth.type)} to check these settings: a stored secret only serves the application, mailbox and server it was saved for.`);
      }
      secret = this.relays.openPassword(relay);
    }
    const expiresAt = auth.type === 'oauth2-microsoft' ? auth.clientSecretExpiresAt : null;
    return { authenticator: this.relays.unsavedAuthenticator(auth, s.username, secret), ...(expiresAt !== null ? { secretExpiresAt: expiresAt } : {}) };
  }

  /**
   * Verification: the flight check of the saved settings run up to sign-in (no MAIL FROM), under
   * the same budget as the flight check. The outcome is recorded for the version it checked: a
   * pass makes that version activatable, a failure withdraws it.
   */
  async verify(organizationId: string, locale: Locale, actor: Actor): Promise<VerifyResult> {
    const relay = await this.relays.get(organizationId);
    await this.checkBudget.take(organizationId, actor.kind === 'user' ? actor.userId : undefined);
    const report = await signInToRelay(this.relays, relay, { locale, padFailureTiming: true, ...(this.ca ? { ca: this.ca } : {}) });
    const updated = await this.relays.recordCheck(organizationId, relay.version, outcomeOf(report), actor);
    return { report, version: relay.version, relay: updated };
  }

  /** Tries the usual ports of a host (465, 587, 2525, 25) and reports what each offers. Counts as a check. */
  async detect(organizationId: string, host: string, actor: Actor): Promise<SecurityDetection> {
    await this.relays.find(organizationId);
    await this.checkBudget.take(organizationId, actor.kind === 'user' ? actor.userId : undefined);
    const { guard, ca } = relayCheckDeps(this.relays.connectionOptions, this.ca);
    return detectSecurity(host, { guard, ...(ca ? { ca } : {}) });
  }
}
