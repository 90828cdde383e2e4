import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsAgainstRelay, relayAnswered } from './relay-health.ts';

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
