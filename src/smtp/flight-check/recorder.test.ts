import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../clock.ts';
import { StepRecorder, coarseDuration } from './recorder.ts';
import type { FlightCheckStep } from './types.ts';

describe('step recorder', () => {
  test('failures without a reply are reported in whole seconds, capped at the timeout', () => {
    assert.equal(coarseDuration(2, 15_000), 1000);
    assert.equal(coarseDuration(1001, 15_000), 2000);
    assert.equal(coarseDuration(15_004, 15_000), 15_000);
    assert.equal(coarseDuration(300, 250), 1000);
  });

  test('after a failure every step not reached is skipped, in session order', () => {
    const clock = new ManualClock();
    const seen: FlightCheckStep[] = [];
    const recorder = new StepRecorder({ security: 'tls', locale: 'fr', clock, onStep: (step) => seen.push(step) });
    const started = recorder.start();
    clock.advance(40);
    recorder.ok('dns', started, { detail: 'ok' });
    const connecting = recorder.start();
    clock.advance(3);
    recorder.fail('connect', connecting, { detail: 'refused' }, { stage: 'connect', network: 'ECONNREFUSED' }, { capMs: 15_000 });
    const steps = recorder.finish();
    assert.deepEqual(
      steps.map((step) => [step.id, step.status, step.durationMs]),
      [
        ['dns', 'ok', 40],
        ['connect', 'fail', 1000],
        ['tls', 'skipped', 0],
        ['greeting', 'skipped', 0],
        ['ehlo', 'skipped', 0],
        ['auth', 'skipped', 0],
        ['sender', 'skipped', 0],
        ['recipient', 'skipped', 0],
        ['test-email', 'skipped', 0],
      ],
    );
    assert.equal(steps[1]?.explanation?.id, 'connection-refused');
    assert.equal(steps[1]?.explanation?.title, 'Connexion refusée');
    assert.equal(steps[2]?.detail, 'Non vérifié : une étape précédente a échoué.');
    assert.deepEqual(seen.map((step) => step.id), ['dns', 'connect', 'tls', 'greeting', 'ehlo', 'auth', 'sender', 'recipient', 'test-email']);
  });

  test('a failure with a server reply keeps its real duration', () => {
    const clock = new ManualClock();
    const recorder = new StepRecorder({ security: 'starttls', locale: 'en', preset: 'gmail', clock });
    const started = recorder.start();
    clock.advance(123);
    recorder.fail('auth', started, { detail: 'refused' }, { stage: 'auth', code: 534, enhanced: '5.7.9', text: 'Application-specific password required.' }, { capMs: 60_000 });
    const auth = recorder.finish().find((step) => step.id === 'auth');
    assert.equal(auth?.durationMs, 123);
    assert.equal(auth?.explanation?.id, 'gmail-app-password-required');
    assert.equal(auth?.explanation?.reply, '534 5.7.9 Application-specific password required.');
  });
});
