// Properties of settle(): no recipient is lost or left without a decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_RETRY_POLICY } from './retry-policy.ts';
import { classifySendError } from './send-outcome.ts';
import { settle, type SendReport } from './settle.ts';
import type { Recipient } from './message.ts';

const reply = fc.constantFrom('550 5.1.1 User unknown', '452 4.2.2 Mailbox full', '421 4.7.0 Try again later', '552 5.3.4 Message too big');

test('every recipient ends sent, failed or pending, and the message outcome agrees', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('accept', 'reject'), { minLength: 1, maxLength: 6 }),
      fc.array(reply, { minLength: 6, maxLength: 6 }),
      fc.boolean(),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 48 * 3600_000 }),
      (fates, replies, wholeFailure, attempts, age) => {
        const recipients: Recipient[] = fates.map((_, i) => ({ position: i, kind: 'to', address: `r${i}@example.org`, status: 'pending', reply: null }));
        const outcome = (text: string) => classifySendError({ code: 'EENVELOPE', command: 'RCPT TO', response: text, responseCode: Number.parseInt(text, 10) });
        const report: SendReport = wholeFailure
          ? { kind: 'failed', outcome: outcome(replies[0] ?? '') }
          : {
              kind: 'accepted',
              reply: '250 2.0.0 Ok',
              accepted: recipients.filter((_, i) => fates[i] === 'accept').map((r) => r.address),
              rejected: recipients.filter((_, i) => fates[i] === 'reject').map((r, i) => ({ address: r.address, outcome: outcome(replies[i] ?? '') })),
            };
        const now = 1_000_000_000_000;
        const s = settle({ recipients, report, attempts, createdAt: now - age, now, policy: DEFAULT_RETRY_POLICY, random: () => 0.5 });
        assert.equal(s.recipients.length, recipients.length, 'a decision for every pending recipient');
        const statuses = s.recipients.map((r) => r.status);
        if (s.outcome === 'deferred') {
          assert.ok(statuses.includes('pending'));
          assert.ok(s.retryAt !== undefined && s.retryAt > now);
        } else {
          assert.ok(!statuses.includes('pending'), 'a finished message has no pending recipient');
        }
        if (s.outcome === 'sent') assert.ok(statuses.includes('sent'));
        if (s.outcome === 'failed') assert.ok(!statuses.includes('sent') && s.errorCode !== null);
      },
    ),
  );
});

test('a failure the route retries at once (relay refused, organization falls back) is due now, not after backoff; a message past its age fails', () => {
  const recipients: Recipient[] = [{ position: 0, kind: 'to', address: 'lea@example.org', status: 'pending', reply: null }];
  const refused = classifySendError({ code: 'EAUTH', command: 'AUTH PLAIN', response: '535 5.7.8 Authentication credentials invalid', responseCode: 535 });
  const report: SendReport = { kind: 'failed', outcome: refused };
  const now = 1_000_000_000_000;
  const base = { recipients, report, attempts: 1, createdAt: now - 1000, now, policy: DEFAULT_RETRY_POLICY, random: () => 0.5 };
  const later = settle(base);
  assert.equal(later.outcome, 'deferred');
  assert.ok(later.retryAt !== undefined && later.retryAt >= now + 24_000, 'normal backoff without retryNow');
  const atOnce = settle({ ...base, retryNow: true });
  assert.deepEqual({ outcome: atOnce.outcome, retryAt: atOnce.retryAt, errorCode: atOnce.errorCode, failureClass: atOnce.failureClass }, {
    outcome: 'deferred',
    retryAt: now,
    errorCode: 'auth-failed',
    failureClass: 'relay-config',
  });
  const tooOld = settle({ ...base, createdAt: now - DEFAULT_RETRY_POLICY.maxAgeSeconds * 1000 - 1, retryNow: true });
  assert.deepEqual({ outcome: tooOld.outcome, errorCode: tooOld.errorCode }, { outcome: 'failed', errorCode: 'retries_exhausted' });
});
