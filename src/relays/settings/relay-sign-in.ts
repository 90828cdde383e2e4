// Signing in to an organization's relay with its saved settings: the flight check run up to
// AUTH (mode sign-in). Verification (POST …/smtp-relay/verify) and the probes of a failing
// relay both go through it, so they connect as the flight check and delivery do and say what
// went wrong in the same words: explanation ids (auth-failed, certificate-untrusted…).
import type { Locale } from '../../glossary.ts';
import { firstFailure, runFlightCheck, type FlightCheckDeps, type FlightCheckReport } from '../../smtp/flight-check.ts';
import type { RelayConnectionOptions } from '../sending/relay-transport.ts';
import type { SmtpAuthenticator } from '../../smtp/authenticator.ts';
import type { RelayService } from './relay.service.ts';
import type { Relay } from '../relay.ts';

/** What a check tells about settings: recorded as the relay's last check, or by relay health. */
export interface CheckOutcome {
  passed: boolean;
  /** The explanation id of the failure (auth-failed, connection-timeout…); null when passed. */
  errorCode: string | null;
  /** The server's sanitized reply, when it gave one. */
  reply: string | null;
  failedStep: string | null;
}

export function outcomeOf(report: FlightCheckReport): CheckOutcome {
  const failed = firstFailure(report);
  return {
    passed: report.passed,
    errorCode: failed ? (failed.explanation?.id ?? 'unexpected-reply') : null,
    reply: failed?.explanation?.reply ?? null,
    failedStep: failed?.id ?? null,
  };
}

/** How the engine connects to relays: the address guard, trusted authorities and timeouts of delivery. */
export function relayCheckDeps(connection: RelayConnectionOptions, ca = connection.ca): FlightCheckDeps {
  return {
    guard: { allowedPorts: connection.allowedPorts, allowPrivate: connection.allowPrivate, ...(connection.resolver ? { resolver: connection.resolver } : {}) },
    ...(ca ? { ca } : {}),
    ...(connection.timeouts ? { timeouts: connection.timeouts } : {}),
    // A check or verification has the same overall deadline as a delivery (a caller's own signal replaces it).
    ...(connection.deadlineMs ? { signal: AbortSignal.timeout(connection.deadlineMs) } : {}),
  };
}

export interface SignInOptions {
  locale: Locale;
  /** The caller's deadline: the run stops, failing as relay-timeout. */
  signal?: AbortSignal;
  /** Hold a failed network step's answer until its rounded duration (HTTP callers). */
  padFailureTiming?: boolean;
  ca?: string[];
}

/** Connects with the saved settings and the stored password, up to sign-in; sends no MAIL FROM. */
export function signInToRelay(relays: RelayService, relay: Relay, options: SignInOptions): Promise<FlightCheckReport> {
  return runFlightCheck(
    {
      mode: 'sign-in',
      host: relay.host,
      port: relay.port,
      security: relay.security,
      username: relay.username,
      ...credentialsOf(relays, relay),
      fromEmail: relay.fromEmail,
      preset: relay.preset,
      allowSelfSigned: relay.allowSelfSigned,
      locale: options.locale,
    },
    {
      ...relayCheckDeps(relays.connectionOptions, options.ca),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.padFailureTiming ? { padFailureTiming: true } : {}),
    },
  );
}

/** The stored password, or for OAuth2 app sign-in the XOAUTH2 authenticator (tokens cached as delivery's). */
export function credentialsOf(relays: RelayService, relay: Relay): { password: string } | { authenticator: SmtpAuthenticator; secretExpiresAt?: number } {
  const authenticator = relays.authenticator(relay);
  if (!authenticator) return { password: relays.openPassword(relay) };
  const expiresAt = relay.auth.type === 'oauth2-microsoft' ? relay.auth.clientSecretExpiresAt : null;
  return { authenticator, ...(expiresAt !== null ? { secretExpiresAt: expiresAt } : {}) };
}

/** The probe of a failing relay, as relay health calls it. */
export type ProbeRelay = (relay: Relay, options: { signal?: AbortSignal }) => Promise<CheckOutcome>;

export function relayProber(relays: RelayService): ProbeRelay {
  return async (relay, options) => outcomeOf(await signInToRelay(relays, relay, { locale: 'en', ...(options.signal ? { signal: options.signal } : {}) }));
}
