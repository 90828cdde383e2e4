// Durability of webhooks: SIGKILL the service while webhooks are pending and in flight; after
// a restart every event reaches the endpoint, and only those in flight at the kill may arrive
// twice (with the same webhook-id, so receivers deduplicate).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyWebhook } from '../../clients/typescript/src/verify-webhook.ts';
import { useDurabilityHarness } from '../support/durability.ts';
import { waitUntil } from '../support/process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const COUNT = 20;
const harness = useDurabilityHarness('webhooks-kill9', { RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS: 'true' });

let receiver: WebhookReceiver;
before(async () => {
  receiver = await startWebhookReceiver();
});
after(async () => {
  await receiver.close();
});

test('no webhook is lost to a SIGKILL; only those in flight arrive twice, with the same webhook-id', async () => {
  const { base, headers } = harness;

  // Phase 1: the endpoint never answers, so webhooks are in flight or pending at the kill.
  receiver.script([], 'hang');
  await harness.start();
  const created = await fetch(`${base}/v1/webhook-endpoints`, { method: 'POST', headers, body: JSON.stringify({ url: receiver.url, events: ['message.sent'] }) });
  assert.equal(created.status, 201);
  const { secret } = (await created.json()) as { secret: string };
  assert.equal((await fetch(`${base}/v1/organizations`, { method: 'POST', headers, body: JSON.stringify({ id: 'acme', name: 'Acme' }) })).status, 201);
  const accepted: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const res = await fetch(`${base}/v1/organizations/acme/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ to: `learner${i}@example.org`, subject: `Message ${i}`, text: `body ${i}` }),
    });
    assert.equal(res.status, 202);
    accepted.push(((await res.json()) as { id: string }).id);
  }
  await waitUntil(
    async () => {
      const res = await fetch(`${base}/v1/organizations/acme/messages?status=sent&limit=200`, { headers });
      return ((await res.json()) as { messages: unknown[] }).messages.length === COUNT;
    },
    30_000,
    'every message sent',
  );
  await waitUntil(() => receiver.hanging >= 4, 10_000, 'webhooks in flight');
  await harness.kill();

  const rows = harness.read<{ eventId: string; status: string }>('select event_id as eventId, status from webhook_deliveries');
  assert.equal(rows.length, COUNT, 'every message.sent committed its webhook with the message');
  const inFlight = new Set(rows.filter((r) => r.status === 'delivering').map((r) => r.eventId));
  assert.ok(inFlight.size >= 4, `webhooks were in flight at the kill (${inFlight.size})`);
  assert.ok(rows.some((r) => r.status === 'pending'), 'others were waiting');
  const receivedBeforeKill = receiver.received.length;

  // Phase 2: a well-behaved endpoint; leases of the dead process expire and the rest drains.
  receiver.script([], { status: 200 });
  await harness.start();
  // Only answered requests count: those of phase 1 were never answered (the endpoint hung).
  const announced = new Set<string>();
  await waitUntil(
    () => {
      for (const w of receiver.received.slice(receivedBeforeKill)) {
        const event = verifyWebhook(secret, w.headers, w.body);
        announced.add(String(event.data.messageId));
      }
      return announced.size === COUNT;
    },
    30_000,
    'every message.sent webhook after the restart',
  );
  for (const id of accepted) assert.ok(announced.has(id), `message.sent for ${id} arrived`);
  const arrivals = new Map<string, number>();
  for (const w of receiver.received) arrivals.set(String(w.headers['webhook-id']), (arrivals.get(String(w.headers['webhook-id'])) ?? 0) + 1);
  const twice = [...arrivals].filter(([, n]) => n > 1).map(([id]) => id);
  for (const id of twice) assert.ok(inFlight.has(id), `${id} arrived twice but was not in flight at the kill`);
  console.log(`# webhooks kill -9: ${COUNT} events, ${inFlight.size} in flight and ${rows.filter((r) => r.status === 'pending').length} pending at the kill (${receivedBeforeKill} requests unanswered), ${twice.length} delivered twice (same webhook-id)`);
});
