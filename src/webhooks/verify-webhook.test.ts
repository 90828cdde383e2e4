// The receivers' verifier (clients/typescript) against Relais's signer and the reference
// `standardwebhooks` package, both ways, and the ways a request must be refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError } from '../../clients/typescript/src/verify-webhook.ts';
import { newSigningSecret, webhookHeaders } from './webhook-signature.ts';

const NOW = Date.UTC(2026, 10, 28, 9, 0, 0);
const body = JSON.stringify({ type: 'message.sent', timestamp: new Date(NOW).toISOString(), data: { messageId: 'msg_1' } });
const message = { id: 'evt_1', timestamp: Math.floor(NOW / 1000), body };

const refused = (code: string) => (error: unknown) => error instanceof WebhookVerificationError && error.code === code;

test("Relais's signature verifies with both verifiers; the reference package's signature with verifyWebhook", () => {
  const secret = newSigningSecret();
  const headers = webhookHeaders([secret], message);
  assert.equal(verifyWebhook(secret, headers, body, { now: NOW }).type, 'message.sent');
  assert.equal(verifyWebhook(secret, new Headers(headers), Buffer.from(body), { now: NOW }).type, 'message.sent');
  const reference = new Webhook(secret);
  assert.equal(headers['webhook-signature'], reference.sign('evt_1', new Date(NOW), body));
  const theirs = { ...headers, 'webhook-signature': reference.sign('evt_1', new Date(NOW), body) };
  assert.deepEqual(verifyWebhook(secret, theirs, body, { now: NOW }), JSON.parse(body));
});

test('any one of several signatures may match; other versions are ignored', () => {
  const [a, b] = [newSigningSecret(), newSigningSecret()];
  const headers = webhookHeaders([a, b], message);
  assert.ok(verifyWebhook(a, headers, body, { now: NOW }));
  assert.ok(verifyWebhook(b, headers, body, { now: NOW }));
  const mac = headers['webhook-signature']?.split(' ')[0]?.slice(3);
  assert.throws(() => verifyWebhook(a, { ...headers, 'webhook-signature': `v1a,${mac}` }, body, { now: NOW }), refused('no_matching_signature'));
});

test('refusals: missing headers, stale or future timestamps, wrong secret, changed body, garbage', () => {
  const secret = newSigningSecret();
  const headers = webhookHeaders([secret], message);
  assert.throws(() => verifyWebhook(secret, { ...headers, 'webhook-id': undefined }, body, { now: NOW }), refused('missing_headers'));
  assert.throws(() => verifyWebhook(secret, headers, body, { now: NOW + 301_000 }), refused('timestamp_out_of_tolerance'));
  assert.throws(() => verifyWebhook(secret, headers, body, { now: NOW - 301_000 }), refused('timestamp_out_of_tolerance'));
  assert.ok(verifyWebhook(secret, headers, body, { now: NOW + 299_000 }));
  assert.throws(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': '1e9' }, body, { now: NOW }), refused('invalid_timestamp'));
  assert.throws(() => verifyWebhook(newSigningSecret(), headers, body, { now: NOW }), refused('no_matching_signature'));
  assert.throws(() => verifyWebhook(secret, headers, `${body} `, { now: NOW }), refused('no_matching_signature'));
  assert.throws(() => verifyWebhook(secret, { ...headers, 'webhook-signature': 'v1,AAAA v1, nonsense' }, body, { now: NOW }), refused('no_matching_signature'));
  assert.throws(() => verifyWebhook('whsec_', headers, body, { now: NOW }), refused('invalid_secret'));
  // The id is signed: moving a signature to another event fails.
  assert.throws(() => verifyWebhook(secret, { ...headers, 'webhook-id': 'evt_2' }, body, { now: NOW }), refused('no_matching_signature'));
});
