/**
 * Runs a flight check: refuses what is not an address before connecting, walks the session
 * (check-session.ts) with a step recorder, and writes the report.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { CheckSession } from './check-session.ts';
import { StepRecorder } from './recorder.ts';
import type { FlightCheckDeps, FlightCheckInput, FlightCheckReport } from './types.ts';

const ADDRESS = /^[^\s<>()[\]\\,;:"@\p{Cc}\p{Cf}]+@[^\s<>()[\]\\,;:"@\p{Cc}\p{Cf}]+$/u;

/**
 * Runs the flight check. Throws AppError `invalid_address` for a sender or recipient that
 * is not an address (nothing is connected then); every other problem is a step of the report.
 */
export async function runFlightCheck(input: FlightCheckInput, deps: FlightCheckDeps): Promise<FlightCheckReport> {
  for (const [field, value] of [['fromEmail', input.fromEmail], ['toEmail', input.toEmail]] as const) {
    if (value !== undefined && !ADDRESS.test(value)) {
      throw new AppError('invalid_address', `${field} is not an email address.`, { field });
    }
  }
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();
  const recorder = new StepRecorder({
    security: input.security,
    ...(input.mode ? { mode: input.mode } : {}),
    locale: input.locale,
    ...(input.preset ? { preset: input.preset } : {}),
    clock,
    ...(deps.onStep ? { onStep: deps.onStep } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const check = new CheckSession(input, deps, recorder);
  await check.run();
  const steps = recorder.finish();
  if (deps.padFailureTiming) {
    const wait = recorder.holdUntil - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const report: FlightCheckReport = {
    settings: {
      host: input.host,
      port: input.port,
      security: input.security,
      ...(input.username ? { username: input.username } : {}),
      fromEmail: input.fromEmail,
      toEmail: check.toEmail,
      ...(input.preset ? { preset: input.preset } : {}),
      allowSelfSigned: input.allowSelfSigned ?? false,
    },
    locale: input.locale,
    mode: input.mode ?? 'full',
    passed: steps.every((step) => step.status !== 'fail'),
    startedAt: new Date(startedAt).toISOString(),
    // The sum of the reported steps, so a coarse failure is not undone by the total.
    durationMs: steps.reduce((sum, step) => sum + step.durationMs, 0),
    steps,
  };
  if (check.testEmail) report.testEmail = check.testEmail;
  return report;
}
