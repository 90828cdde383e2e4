// Signed webhooks end to end through the API, the real dispatchers and a real HTTP receiver:
// every event type arrives signed (checked with Relais's client verifier and with the reference
// `standardwebhooks` package), retries on a fake clock, 410, rotation, 5 days of failures.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { ManualClock } from '../clock.ts';
import { EVENT_TYPES } from '../outbox/event.ts';
import { recordEvent } from '../outbox/outbox.ts';
import { verifyWebhook, WebhookVerificationError } from '../../clients/typescript/src/verify-webhook.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { dialects } from '../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';

const DAY = 24 * 3600 * 1000;

function headerRecord(headers: http.IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
}

/** Checks the webhook with both verifiers; returns the event. */
function verifyBoth(secret: string, w: ReceivedWebhook, now: number): { type: string; timestamp: string; data: Record<string, unknown> } {
  const ours = verifyWebhook(secret, w.headers, w.body, { now });
  const reference = new Webhook(secret).verify(w.body, headerRecord(w.headers));
  assert.deepEqual(reference, ours);
  return ours as { type: string; timestamp: string; data: Record<string, unknown> };
}

for (const dialect of await dialects()) {
  describe(`webhooks (${dialect})`, () => {
    let smtp: SmtpFixture;
    let receiver: WebhookReceiver;
    let other: WebhookReceiver;
    let t: TestApp;
    let clock: ManualClock;

    const api = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
      const res = await t.app.inject({ method, url, headers: t.auth, ...(payload !== undefined ? { payload: payload as object } : {}) });
      return { status: res.statusCode, body: res.body ? (res.json() as Record<string, unknown>) : {} };
    };
    const createEndpoint = async (body: Record<string, unknown>) => {
      const res = await api('POST', '/v1/webhook-endpoints', body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { id: string; secret: string; url: string };
    };
    const deliver = () => t.app.relais.webhookDispatcher.runOnce();
    const record = (type: (typeof EVENT_TYPES)[number], data: Record<string, unknown> = {}) =>
      t.db.store.db.transaction().execute((tx) => recordEvent(tx, { organizationId: 'acme', type, messageId: 'msg_1', data, at: clock.now() }));

    before(async () => {
      smtp = await startSmtpFixture({ security: 'none' });
      receiver = await startWebhookReceiver();
      other = await startWebhookReceiver();
    });
    after(async () => {
      await Promise.all([smtp.close(), receiver.close(), other.close()]);
    });
    beforeEach(async () => {
      clock = new ManualClock(Date.now());
      receiver.received.length = 0;
      other.received.length = 0;
      receiver.script([]);
      other.script([]);
      t = await createTestApp({
        dialect,
        env: { RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS: 'true', RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` },
        deps: { clock, webhooks: { timeoutMs: 400, random: () => 0.5 } },
      });
    });
    afterEach(() => t.close());

    test('every event type arrives signed, and both verifiers accept it; data carries codes and ids, never words or addresses', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, description: 'platform' });
      assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      for (const type of EVENT_TYPES) {
        await record(type, { relayId: 'rly_1', errorCode: 'microsoft-smtp-auth-disabled', reply: '535 5.7.139 Authentication unsuccessful for lea@example.org', route: 'relay' });
      }
      assert.equal((await api('POST', `/v1/webhook-endpoints/${endpoint.id}/test`)).status, 202);
      await deliver();
      const all = await receiver.waitFor(EVENT_TYPES.length + 1);
      const types = new Set<string>();
      for (const w of all) {
        const event = verifyBoth(endpoint.secret, w, clock.now());
        types.add(event.type);
        assert.match(String(w.headers['webhook-id']), /^evt_[0-9a-f]{28}$/);
        assert.equal(w.headers['content-type'], 'application/json');
        assert.doesNotMatch(w.body, /lea@example\.org|Authentication unsuccessful|whsec_/);
        if (event.type !== 'webhook.test') {
          assert.deepEqual(event.data, {
            organizationId: 'acme',
            messageId: 'msg_1',
            relayId: 'rly_1',
            errorCode: 'microsoft-smtp-auth-disabled',
            route: 'relay',
            replyCode: '535 5.7.139',
            explanationId: 'microsoft-smtp-auth-disabled',
          });
        }
      }
      assert.deepEqual([...types].sort(), [...EVENT_TYPES, 'webhook.test'].sort());
      // A changed byte, or the wrong secret, fails both verifiers.
      const [first] = all;
      assert.ok(first);
      const tampered = { ...first, body: first.body.replace('acme', 'acmf') };
      assert.throws(() => verifyWebhook(endpoint.secret, tampered.headers, tampered.body, { now: clock.now() }), WebhookVerificationError);
      assert.throws(() => new Webhook(endpoint.secret).verify(tampered.body, headerRecord(tampered.headers)));
      const stale = clock.now() + 6 * 60_000;
      assert.throws(() => verifyWebhook(endpoint.secret, first.headers, first.body, { now: stale }), /too far from now/);
    });

    test('a recipient refused for good is announced by message.recipient_failed (its position and the codes, never the address)', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, events: ['message.sent', 'message.recipient_failed'] });
      assert.equal((await api('POST', '/v1/organizations', { id: 'acme', name: 'Acme' })).status, 201);
      smtp.setScript({ rcpt: (to) => (to.includes('gone') ? { code: 550, text: '5.1.1 <gone@example.org>: Recipient address rejected: User unknown' } : undefined) });
      try {
        const sent = await api('POST', '/v1/organizations/acme/messages', { to: ['lea@example.org', 'gone@example.org'], subject: 'Hello', text: 'Bonjour' });
        assert.equal(sent.status, 202);
        await t.app.relais.dispatcher.runOnce();
      } finally {
        smtp.setScript({});
      }
      await deliver();
      const events = (await receiver.waitFor(2)).map((w) => verifyBoth(endpoint.secret, w, clock.now()));
      const refused = events.find((e) => e.type === 'message.recipient_failed');
      assert.deepEqual(
        events.map((e) => e.type).sort(),
        ['message.recipient_failed', 'message.sent'],
      );
      assert.equal(refused?.data.position, 1);
      assert.equal(refused?.data.replyCode, '550 5.1.1');
      assert.doesNotMatch(JSON.stringify(events), /gone@|lea@|User unknown/);
    });

    test('a message sent through the API is announced by message.sent, with its route', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, events: ['message.sent'] });
      assert.equal((await api('POST', '/v1/organizations', { id: 'acme', name: 'Acme' })).status, 201);
      const sent = await api('POST', '/v1/organizations/acme/messages', { to: 'lea@example.org', subject: 'Hello', text: 'Bonjour' });
      assert.equal(sent.status, 202);
      await t.app.relais.dispatcher.runOnce();
      await deliver();
      const [w] = await receiver.waitFor(1);
      assert.ok(w);
      const event = verifyBoth(endpoint.secret, w, clock.now());
      assert.equal(event.type, 'message.sent');
      assert.equal(event.data.messageId, sent.body.id);
      assert.equal(event.data.organizationId, 'acme');
      assert.equal(event.data.route, 'platform');
      assert.match(String(event.data.replyCode), /^250/);
      assert.doesNotMatch(w.body, /lea@example|Bonjour|Hello/);
    });

    test('retries after a 500 and a timeout, on schedule, with the same webhook-id; the delivery log shows each attempt', async () => {
      const endpoint = await createEndpoint({ url: receiver.url });
      receiver.script([{ status: 500, body: 'database down\u0000' }, 'hang', { status: 204 }]);
      await record('message.failed', { attempt: 1, errorCode: 'retries_exhausted' });
      assert.equal(await deliver(), 1);
      assert.equal(await deliver(), 0, 'nothing is due before the first retry');
      clock.advance(4_999);
      assert.equal(await deliver(), 0);
      clock.advance(1);
      assert.equal(await deliver(), 1, 'about 5 s later');
      clock.advance(299_999);
      assert.equal(await deliver(), 0);
      clock.advance(1);
      assert.equal(await deliver(), 1, 'about 5 min after the timeout');
      clock.advance(DAY);
      assert.equal(await deliver(), 0, 'delivered: never again');
      const ids = new Set(receiver.received.map((w) => w.headers['webhook-id']));
      assert.equal(receiver.received.length, 3);
      assert.equal(ids.size, 1);
      const log = await api('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=2`);
      const page = log.body as { deliveries: { httpStatus: number | null; error: string | null; response: string | null; attempt: number; nextRetryAt: string | null }[]; nextCursor: number };
      assert.deepEqual(page.deliveries.map((d) => [d.attempt, d.httpStatus, d.error]), [[3, 204, null], [2, null, 'timeout']]);
      const rest = await api('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?cursor=${page.nextCursor}`);
      const [firstAttempt] = (rest.body as { deliveries: { httpStatus: number; response: string; nextRetryAt: string }[] }).deliveries;
      assert.equal(firstAttempt?.httpStatus, 500);
      assert.equal(firstAttempt?.response, 'database down?');
      assert.equal(firstAttempt?.nextRetryAt, new Date(clock.now() - DAY - 300_000).toISOString());
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /relais_webhook_attempts_total\{result="retry"\} 2/);
      assert.match(metrics, /relais_webhook_attempts_total\{result="delivered"\} 1/);
      assert.match(metrics, /relais_webhook_queue_depth\{status="pending"\} 0/);
    });

    test('429 with Retry-After is honoured; a redirect is not followed', async () => {
      await createEndpoint({ url: receiver.url });
      receiver.script([{ status: 429, headers: { 'retry-after': '120' } }, { status: 302, headers: { location: other.url } }]);
      await record('relay.failing');
      assert.equal(await deliver(), 1);
      clock.advance(119_000);
      assert.equal(await deliver(), 0);
      clock.advance(1000);
      assert.equal(await deliver(), 1);
      assert.equal(other.received.length, 0, 'the redirect target was never called');
      clock.advance(300_000);
      assert.equal(await deliver(), 1, 'a 3xx is a failed attempt, retried');
      assert.equal(receiver.received.length, 3);
    });

    test('410 disables the endpoint; the other endpoints are told; nothing more is queued for it', async () => {
      const gone = await createEndpoint({ url: receiver.url });
      const watcher = await createEndpoint({ url: other.url, events: ['webhook_endpoint.disabled'] });
      receiver.script([{ status: 410 }]);
      await record('relay.recovered');
      await deliver();
      await deliver();
      const read = await api('GET', `/v1/webhook-endpoints/${gone.id}`);
      assert.equal(read.body.enabled, false);
      assert.equal(read.body.disabledReason, 'gone');
      const [told] = await other.waitFor(1);
      assert.ok(told);
      const event = verifyBoth(watcher.secret, told, clock.now());
      assert.equal(event.type, 'webhook_endpoint.disabled');
      assert.deepEqual({ endpointId: event.data.endpointId, reason: event.data.reason }, { endpointId: gone.id, reason: 'gone' });
      await record('relay.failing');
      clock.advance(DAY);
      await deliver();
      assert.equal(receiver.received.length, 1, 'a disabled endpoint receives nothing');
      const list = await api('GET', '/v1/webhook-endpoints');
      assert.deepEqual(
        (list.body.endpoints as { id: string; disabledReason: string | null }[]).map((e) => [e.id, e.disabledReason]).sort(),
        [
          [gone.id, 'gone'],
          [watcher.id, null],
        ].sort(),
      );
    });

    test('an endpoint failing for 5 days is disabled and the platform told on the others', async () => {
      const failing = await createEndpoint({ url: receiver.url, events: ['message.sent'] });
      await createEndpoint({ url: other.url, events: ['webhook_endpoint.disabled'] });
      receiver.script([], { status: 500 });
      await record('message.sent');
      await deliver();
      clock.advance(5 * DAY - 1000);
      await record('message.sent');
      await deliver();
      assert.equal((await api('GET', `/v1/webhook-endpoints/${failing.id}`)).body.enabled, true, 'not yet 5 days');
      clock.advance(1000);
      await record('message.sent');
      await deliver();
      const read = await api('GET', `/v1/webhook-endpoints/${failing.id}`);
      assert.equal(read.body.disabledReason, 'failing');
      assert.equal(read.body.failingSince, new Date(clock.now() - 5 * DAY).toISOString());
      await deliver();
      assert.equal(other.received.length, 1);
      assert.equal((JSON.parse(other.received[0]?.body ?? '{}') as { data: { reason: string } }).data.reason, 'failing');
    });

    test('after a rotation both secrets sign for 24 hours, then only the new one', async () => {
      const endpoint = await createEndpoint({ url: receiver.url });
      const rotated = await api('POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`);
      assert.equal(rotated.status, 200);
      const fresh = rotated.body.secret as string;
      assert.notEqual(fresh, endpoint.secret);
      assert.equal(rotated.body.previousSecretExpiresAt, new Date(clock.now() + DAY).toISOString());
      await record('relay.activated');
      await deliver();
      const [both] = await receiver.waitFor(1);
      assert.ok(both);
      assert.equal(String(both.headers['webhook-signature']).split(' ').length, 2);
      verifyBoth(endpoint.secret, both, clock.now());
      verifyBoth(fresh, both, clock.now());
      clock.advance(DAY + 1);
      await record('relay.deactivated');
      await deliver();
      const [, later] = await receiver.waitFor(2);
      assert.ok(later);
      assert.equal(String(later.headers['webhook-signature']).split(' ').length, 1);
      assert.ok(verifyWebhook(fresh, later.headers, later.body, { now: clock.now() }));
      assert.throws(() => verifyWebhook(endpoint.secret, later.headers, later.body, { now: clock.now() }), /no signature matches/);
    });

    test('the API validates input, answers stable codes and never shows a secret again', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, events: ['message.sent', 'message.sent'] });
      const read = await api('GET', `/v1/webhook-endpoints/${endpoint.id}`);
      assert.deepEqual(read.body.events, ['message.sent']);
      assert.equal(read.body.secret, undefined);
      assert.doesNotMatch(JSON.stringify((await api('GET', '/v1/webhook-endpoints')).body), /whsec_/);
      assert.equal((await api('POST', '/v1/webhook-endpoints', { url: receiver.url, events: ['message.bounced'] })).status, 422);
      assert.equal((await api('POST', '/v1/webhook-endpoints', { url: 'ftp://x.example/' })).body.error && (await api('POST', '/v1/webhook-endpoints', { url: 'ftp://x.example/' })).status, 422);
      assert.deepEqual((await api('POST', '/v1/webhook-endpoints', { url: 'not a url' })).body, {
        error: { code: 'webhook_url_invalid', message: 'The endpoint URL is not a valid absolute URL such as https://platform.example/webhooks/relais.' },
      });
      const missing = await api('GET', '/v1/webhook-endpoints/whe_0000000000000000000000000000');
      assert.equal(missing.status, 404);
      assert.equal((missing.body.error as { code: string }).code, 'webhook_endpoint_not_found');
      const patched = await api('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { enabled: false, events: null });
      assert.equal(patched.body.enabled, false);
      assert.equal(patched.body.events, null);
      assert.equal((await api('POST', `/v1/webhook-endpoints/${endpoint.id}/test`)).status, 409);
      assert.equal((await api('DELETE', `/v1/webhook-endpoints/${endpoint.id}`)).status, 204);
      assert.equal((await api('DELETE', `/v1/webhook-endpoints/${endpoint.id}`)).status, 404);
      const person = await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints' });
      assert.equal(person.statusCode, 401);
    });
  });
}
