// The flight check of an organization's relay: the saved settings (a pass marks that exact
// version verified, which activation requires) or settings not saved yet (nothing recorded).
import { AppError } from '../errors.ts';
import type { Locale } from '../glossary.ts';
import { isValidAddress } from '../outbox/message.ts';
import { detectSecurity, firstFailure, runFlightCheck, type FlightCheckReport, type FlightCheckStep, type SecurityDetection } from '../smtp/flight-check.ts';
import type { Actor } from '../tenants/actor.ts';
import type { CheckLimiter } from './check-limiter.ts';
import type { RelayService } from './relay.service.ts';
import { sameHost, type RelaySecurity } from './relay.ts';

/** Settings typed in the form but not saved: checked as they are. */
export interface UnsavedSettings {
  preset?: string;
  host: string;
  port: number;
  security: RelaySecurity;
  username: string;
  password?: string;
  fromEmail: string;
  allowSelfSigned?: boolean;
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

export class RelayCheckService {
  constructor(
    private readonly relays: RelayService,
    private readonly limiter: CheckLimiter,
    private readonly ca?: string[],
  ) {}

  async check(organizationId: string, request: CheckRequest, actor: Actor, onStep?: (step: FlightCheckStep) => void): Promise<CheckResult> {
    const { relay } = await this.relays.find(organizationId);
    const ownAddress = actor.kind === 'user' ? actor.email : undefined;
    let target: UnsavedSettings & { password?: string; preset?: string };
    let savedVersion: number | null = null;
    if (request.settings) {
      const s = request.settings;
      const reusable = relay && sameHost(relay.host, s.host) && relay.port === s.port && relay.username === s.username;
      if (s.password === undefined && !reusable) {
        throw new AppError(
          'password_required',
          relay
            ? 'Enter the password: the stored one is only used with the same host, port and username.'
            : 'Enter the password to check these settings.',
        );
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
        password: this.relays.openPassword(relay),
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

    await this.limiter.take(organizationId, actor.kind === 'user' ? actor.userId : undefined);
    const options = this.relays.connectionOptions;
    const report = await runFlightCheck(
      {
        host: target.host,
        port: target.port,
        security: target.security,
        ...(target.username ? { username: target.username } : {}),
        ...(target.password !== undefined ? { password: target.password } : {}),
        fromEmail: target.fromEmail,
        toEmail,
        sendTestEmail: request.sendTestEmail ?? false,
        ...(target.preset ? { preset: target.preset } : {}),
        allowSelfSigned: target.allowSelfSigned ?? false,
        locale: request.locale,
      },
      {
        guard: { allowedPorts: options.allowedPorts, allowPrivate: options.allowPrivate, ...(options.resolver ? { resolver: options.resolver } : {}) },
        ...(this.ca ?? options.ca ? { ca: this.ca ?? options.ca } : {}),
        ...(options.timeouts ? { timeouts: options.timeouts } : {}),
        padFailureTiming: true,
        ...(onStep ? { onStep } : {}),
      },
    );

    if (savedVersion === null) return { report, recordedVersion: null };
    const failed = firstFailure(report);
    await this.relays.recordCheck(
      organizationId,
      savedVersion,
      {
        passed: report.passed,
        errorCode: failed?.explanation?.id ?? null,
        reply: failed?.explanation?.reply ?? null,
        failedStep: failed?.id ?? null,
      },
      actor,
    );
    return { report, recordedVersion: savedVersion };
  }

  /** Tries the usual ports of a host (465, 587, 2525, 25) and reports what each offers. Counts as a check. */
  async detect(organizationId: string, host: string, actor: Actor): Promise<SecurityDetection> {
    await this.relays.find(organizationId);
    await this.limiter.take(organizationId, actor.kind === 'user' ? actor.userId : undefined);
    const options = this.relays.connectionOptions;
    return detectSecurity(host, {
      guard: { allowedPorts: options.allowedPorts, allowPrivate: options.allowPrivate, ...(options.resolver ? { resolver: options.resolver } : {}) },
      ...(this.ca ?? options.ca ? { ca: this.ca ?? options.ca } : {}),
    });
  }
}
