/**
 * The flight check: a real SMTP session against a relay's settings, step by step (DNS and
 * address guard, TCP, greeting, TLS, EHLO, AUTH, MAIL FROM, RCPT TO, optional test email),
 * each step timed and, when it fails or warns, explained in the owner's language.
 *
 * Used by the API (`POST /v1/organizations/{orgId}/smtp-relay/check`) and the CLI
 * (`relais check-smtp`). The session itself lives in flight-check/check-session.ts, which
 * flight-check/run.ts runs; its words and report shape in flight-check/types.ts.
 */
import type { FlightCheckReport } from './flight-check/types.ts';

export { runFlightCheck } from './flight-check/run.ts';
export { CHECK_EXPLANATIONS, explainStep } from './flight-check/check-explanations.ts';
export type { CheckExplanationId, StepExplanation, StepExplanationId } from './flight-check/check-explanations.ts';
export { detectSecurity } from './flight-check/security-detection.ts';
export type { PortProbe, SecurityDetection, SecurityDetectionDeps } from './flight-check/security-detection.ts';
export type {
  Capabilities,
  CertificateSummary,
  FlightCheckDeps,
  FlightCheckInput,
  FlightCheckReport,
  FlightCheckStep,
  FlightCheckTimeouts,
  Security,
  StepData,
  StepId,
  StepStatus,
} from './flight-check/types.ts';

/** True when no step failed: the settings work end to end (warnings do not block). */
export function passed(report: FlightCheckReport): boolean {
  return report.steps.every((step) => step.status !== 'fail');
}

/** The first failing step, if any: what a caller shows as "why". */
export function firstFailure(report: FlightCheckReport): FlightCheckReport['steps'][number] | undefined {
  return report.steps.find((step) => step.status === 'fail');
}
