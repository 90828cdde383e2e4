import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsAgainstRelay, probeFailure, relayAnswered } from './relay-health.ts';

test('what counts against a relay: relay-level failures and a relay that cannot be reached or never greets', () => {
  assert.equal(countsAgainstRelay({ outcome: 'deferred', failureClass: 'relay-config', errorCode: 'auth-failed' }), true);
  assert.equal(countsAgainstRelay({ outcome: 'deferred', failureClass: 'temporary', errorCode: 'greeting-timeout' }), true);
  assert.equal(countsAgainstRelay({ outcome: 'deferred', failureClass: 'temporary', errorCode: 'connection-timeout' }), true);
  assert.equal(countsAgainstRelay({ outcome: 'deferred', failureClass: 'temporary', errorCode: 'connection-lost' }), false);
  assert.equal(countsAgainstRelay({ outcome: 'deferred', failureClass: 'temporary', errorCode: 'rate-limited' }), false);
  assert.equal(countsAgainstRelay({ outcome: 'failed', failureClass: 'recipient-permanent', errorCode: 'recipient-unknown' }), false);
  assert.equal(relayAnswered({ outcome: 'failed', failureClass: 'recipient-permanent' }), true);
  assert.equal(relayAnswered({ outcome: 'failed', failureClass: 'message-rejected' }), true);
  assert.equal(relayAnswered({ outcome: 'deferred', failureClass: 'relay-config' }), false);
});

test("a failed probe is explained through the classification table when the server replied", () => {
  const failed = (step: 'connect' | 'greeting' | 'auth', code: string, reply: string | null) => ({
    passed: false,
    steps: [],
    tls: null,
    failure: { step, code, message: '', reply, responseCode: reply ? Number(reply.slice(0, 3)) : null },
  });
  assert.deepEqual(probeFailure(failed('auth', 'smtp_auth_failed', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.')), {
    errorCode: 'microsoft-smtp-auth-disabled',
    reply: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
  });
  assert.deepEqual(probeFailure(failed('connect', 'smtp_connect_timeout', null)), { errorCode: 'connection-timeout', reply: null });
  assert.deepEqual(probeFailure(failed('greeting', 'smtp_greeting_failed', null)), { errorCode: 'greeting-timeout', reply: null });
  assert.equal(probeFailure({ passed: true, steps: [], tls: null, failure: null }), undefined);
});
