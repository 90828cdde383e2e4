// Durability of webhooks: SIGKILL the service while webhooks are pending and in flight; after
// a restart every event reaches the endpoint, and only those in flight at the kill may arrive
// twice (with the same webhook-id, so receivers deduplicate).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { verifyWebhook } from '../../clients/typescript/src/verify-webhook.ts';
import { startSmtpFixture, type SmtpFixture } from '../support/smtp-fixture.ts';
import { tempDir } from '../support/databases.ts';
import { freePort, startRelaisProcess, waitUntil, type RelaisProcess } from '../support/process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const API_KEY = 'rls_webhooks-kill9-key-0123456789abcdef';
const COUNT = 20;

let smtp: SmtpFixture;
let receiver: WebhookReceiver;
let dataDir: string;
let relais: RelaisProcess | undefined;

before(async () => {
  smtp = await startSmtpFixture({ security: 'none' });
  receiver = await startWebhookReceiver();
  dataDir = tempDir('relais-webhooks-kill9-');
});
after(async () => {
  relais?.kill('SIGKILL');
  await Promise.all([smtp.close(), receiver.close()]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('no webhook is lost to a SIGKILL; only those in flight arrive twice, with the same webhook-id', async () => {
  const port = await freePort();
  const env = {
    RELAIS_DATA_DIR: dataDir,
    RELAIS_PORT: String(port),
    RELAIS_HOST: '127.0.0.1',
    RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    RELAIS_PLATFORM_FROM: 'Platform <hello@platform.example>',
    RELAIS_BOOTSTRAP_API_KEY: API_KEY,
    RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
    RELAIS_LEASE_SECONDS: '2',
    RELAIS_LOG_LEVEL: 'warn',
  };
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

  // Phase 1: the endpoint never answers, so webhooks are in flight or pending at the kill.
  receiver.script([], 'hang');
  relais = await startRelaisProcess(env, base);
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
  relais.kill('SIGKILL');
  await relais.exited;

  const db = new DatabaseSync(path.join(dataDir, 'relais.db'), { readOnly: true });
  const rows = db.prepare('select event_id as eventId, status from webhook_deliveries').all() as { eventId: string; status: string }[];
  db.close();
  assert.equal(rows.length, COUNT, 'every message.sent committed its webhook with the message');
  const inFlight = new Set(rows.filter((r) => r.status === 'delivering').map((r) => r.eventId));
  assert.ok(inFlight.size >= 4, `webhooks were in flight at the kill (${inFlight.size})`);
  assert.ok(rows.some((r) => r.status === 'pending'), 'others were waiting');
  const receivedBeforeKill = receiver.received.length;

  // Phase 2: a well-behaved endpoint; leases of the dead process expire and the rest drains.
  receiver.script([], { status: 200 });
  relais = await startRelaisProcess(env, base);
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
