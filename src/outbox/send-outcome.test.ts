// A server's reply is cut at one length wherever Relais keeps or shows it: the attempt in the
// delivery log (and a failing relay's reply, taken from it), the explanation and a check step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explain } from '../smtp/explanations.ts';
import { REPLY_MAX_LENGTH, sanitizeReply } from '../smtp/reply-sanitize.ts';
import { classifySendError } from './send-outcome.ts';

test('a long reply is cut at the same length in the delivery log, the explanation and the flight check', () => {
  const response = `550 5.7.60 SMTP; Client does not have permissions to send as this sender ${'because of a policy '.repeat(40)}`;
  const error = Object.assign(new Error(`Message failed: ${response}`), { code: 'EMESSAGE', command: 'DATA', response, responseCode: 550 });
  const outcome = classifySendError(error);
  assert.ok(outcome.reply);
  assert.equal(Array.from(outcome.reply).length, REPLY_MAX_LENGTH, 'the attempt keeps the longest reply Relais shows');
  assert.ok(outcome.reply.startsWith('550 5.7.60 SMTP; Client does not have permissions'));
  assert.equal(explain(outcome.failure, { locale: 'en' }).reply, outcome.reply, 'the explanation quotes the same text');
  assert.equal(Array.from(sanitizeReply(response) ?? '').length, REPLY_MAX_LENGTH, 'a check step cuts at the same length');
});
