// The flight check against a real Postfix submission server (127.0.0.29). In CI a missing MTA
// fails the run; locally it skips with the reason.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstFailure, passed, runFlightCheck } from './flight-check.ts';
import type { FlightCheckDeps } from './flight-check.ts';
import { postfixSubmission, postfixSuiteSkip, usePostfixRelay } from '../../test/support/postfix-suite.ts';
import { GUARD, checkBoth, step, assertFailsAt, type Input } from '../../test/support/flight-check-suite.ts';

describe('flight check against a real Postfix submission server', () => {
  const skip = postfixSuiteSkip();
  const mta = usePostfixRelay({ host: '127.0.0.29', captureHost: '127.0.0.29' });

  const input = (extra: Partial<Input> = {}): Input => ({ ...postfixSubmission(mta.postfix), ...extra });
  const deps = (): Partial<FlightCheckDeps> => ({ ca: [mta.postfix.caPem], timeouts: { connection: 5000, greeting: 2000, socket: 10_000 } });

  test('the owned sender passes every step and the test email is relayed', { skip }, async () => {
    const report = await runFlightCheck({ ...input({ sendTestEmail: true, toEmail: 'parent@famille.test' }), locale: 'en' }, { guard: GUARD, ...deps() });
    assert.equal(passed(report), true, JSON.stringify(report.steps, null, 1));
    assert.match(step(report, 'greeting').data?.reply ?? '', /ESMTP Postfix/);
    assert.ok(step(report, 'ehlo').data?.capabilities?.authMechanisms.includes('PLAIN'));
    const [message] = await mta.capture.waitForMessages(1, 15_000);
    assert.equal(message?.parsed.messageId, report.testEmail?.messageId);
    assert.deepEqual(message?.envelope.to, ['parent@famille.test']);
  });

  test('wrong password: 535 5.7.8', { skip }, async () => {
    const reports = await checkBoth(input({ password: 'not-the-password' }), deps());
    assertFailsAt(reports, 'auth', 'auth-failed');
    assert.match(firstFailure(reports.en)?.explanation?.reply ?? '', /^535 5\.7\.8 /);
  });

  test('sender not owned by the user: 553 5.7.1 at RCPT TO, reported on the sender step', { skip }, async () => {
    const reports = await checkBoth(input({ fromEmail: 'direction@school.test' }), deps());
    assertFailsAt(reports, 'sender', 'send-as-denied');
    assert.match(firstFailure(reports.en)?.explanation?.reply ?? '', /^553 5\.7\.1 .*not owned by user/);
  });

  test('AUTH before STARTTLS (security none): 530 5.7.0', { skip }, async () => {
    const reports = await checkBoth(input({ security: 'none' }), deps());
    assertFailsAt(reports, 'auth', 'starttls-required');
    assert.equal(firstFailure(reports.en)?.explanation?.reply, '530 5.7.0 Must issue a STARTTLS command first');
  });

  test('implicit TLS on the submission port 587', { skip }, async () => {
    assertFailsAt(await checkBoth(input({ security: 'tls' }), deps()), 'tls', 'tls-mode-mismatch');
  });
});
