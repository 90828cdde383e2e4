// Helpers of the flight check's integration suites (src/smtp/flight-check*.integration.test.ts,
// src/smtp/security-detection.integration.test.ts): inputs, both languages, assertions.
import assert from 'node:assert/strict';
import { explainStep, firstFailure, passed, runFlightCheck } from '../../src/smtp/flight-check.ts';
import type { StepExplanationId as ExplanationId, FlightCheckDeps, FlightCheckInput, FlightCheckReport, FlightCheckStep, StepId } from '../../src/smtp/flight-check.ts';
import { startSmtpFixture, type FixtureOptions, type SmtpFixture } from './smtp-fixture.ts';
import { TEST_CA } from './tls.ts';

export const GUARD = { allowedPorts: [25, 465, 587, 2525], allowPrivate: true };
/** Short timeouts: a hanging server fails the step in a fraction of a second. */
export const FAST = { connection: 2000, greeting: 400, socket: 2000 };
export const USER = 'formation@ecole-exemple.fr';
export const PASSWORD = 'c0rrect-h0rse-battery';
export const CREDENTIALS = { username: USER, password: PASSWORD };

export type Input = Omit<FlightCheckInput, 'locale'>;

export function baseInput(fixture: { host: string; port: number }, security: Input['security'], extra: Partial<Input> = {}): Input {
  return { host: fixture.host, port: fixture.port, security, fromEmail: USER, ...CREDENTIALS, ...extra };
}

/** Runs the check in French, then in English. */
export async function checkBoth(input: Input, deps: Partial<FlightCheckDeps> = {}): Promise<{ fr: FlightCheckReport; en: FlightCheckReport }> {
  const options: FlightCheckDeps = { guard: GUARD, ca: [TEST_CA], timeouts: FAST, ...deps };
  const fr = await runFlightCheck({ ...input, locale: 'fr' }, options);
  const en = await runFlightCheck({ ...input, locale: 'en' }, options);
  return { fr, en };
}

export function step(report: FlightCheckReport, id: StepId): FlightCheckStep {
  const found = report.steps.find((s) => s.id === id);
  assert.ok(found, `no ${id} step`);
  return found;
}

/** The first failing step is `id` with explanation `explanation`, in both languages, and every later step is skipped. */
export function assertFailsAt(reports: { fr: FlightCheckReport; en: FlightCheckReport }, id: StepId, explanation: ExplanationId): void {
  for (const locale of ['fr', 'en'] as const) {
    const report = reports[locale];
    const failure = firstFailure(report);
    const summary = report.steps.map((s) => `${s.id}:${s.status}:${s.explanation?.id ?? ''}`).join(' ');
    assert.equal(failure?.id, id, `${locale}: failing step (${summary})`);
    assert.equal(failure?.explanation?.id, explanation, `${locale}: explanation (${summary})`);
    assert.equal(failure?.explanation?.title, explainStep(explanation, { locale }).title);
    assert.ok((failure?.explanation?.fix.length ?? 0) > 0);
    assert.equal(passed(report), false);
    const after = report.steps.slice(report.steps.indexOf(failure as FlightCheckStep) + 1);
    assert.ok(after.every((s) => s.status === 'skipped'), `${locale}: steps after the failure are skipped (${summary})`);
  }
  assert.notEqual(firstFailure(reports.fr)?.detail, firstFailure(reports.en)?.detail, 'details are translated');
  assert.notEqual(firstFailure(reports.fr)?.explanation?.cause, firstFailure(reports.en)?.explanation?.cause);
}

export function assertNoSecret(report: FlightCheckReport): void {
  const text = JSON.stringify(report);
  for (const secret of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(`\u0000${USER}\u0000${PASSWORD}`).toString('base64')]) {
    assert.ok(!text.includes(secret), 'the report never carries the password');
  }
}

export async function withFixture(options: FixtureOptions, run: (fixture: SmtpFixture) => Promise<void>): Promise<void> {
  const fixture = await startSmtpFixture({ auth: { username: USER, password: PASSWORD }, ...options });
  try {
    await run(fixture);
  } finally {
    await fixture.close();
  }
}

export const always = <T>(reply: T) => () => reply;
