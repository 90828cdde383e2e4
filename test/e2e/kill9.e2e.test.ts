// Durability: SIGKILL the service while messages are in flight; after a restart every accepted
// message is delivered, and only messages that were in flight may arrive twice (same Message-ID).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CapturedMessage } from '../support/smtp-fixture.ts';
import { useDurabilityHarness } from '../support/durability.ts';
import { waitUntil } from '../support/process.ts';

const COUNT = 40;
const harness = useDurabilityHarness('kill9', { RELAIS_DISPATCH_CONCURRENCY: '4' });

test('every accepted message is delivered after a SIGKILL mid-send; duplicates only for in-flight ones', async () => {
  const { smtp, base, headers } = harness;

  // Phase 1: the relay takes every message in full but answers only every other DATA, so
  // some messages are on the wire, unacknowledged, when the process dies.
  const heldBeforeKill: CapturedMessage[] = [];
  let dataCount = 0;
  smtp.setScript({
    data: (message) => {
      dataCount++;
      if (dataCount % 2 === 0) {
        heldBeforeKill.push(message);
        return 'hang';
      }
      return 'accept';
    },
  });

  await harness.start();
  const org = await fetch(`${base}/v1/organizations`, { method: 'POST', headers, body: JSON.stringify({ id: 'acme', name: 'Acme' }) });
  assert.equal(org.status, 201);

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
  // Every sending slot is stuck on an unanswered DATA: the dispatcher is busy mid-send.
  await waitUntil(() => heldBeforeKill.length >= 4, 10_000, 'sends in flight');
  await harness.kill();

  const rows = harness.read<{ id: string; status: string; mid: string }>('select id, status, message_id_header as mid from messages');
  assert.equal(rows.length, COUNT, 'every accepted message was committed before its 202');
  const inFlight = new Set(rows.filter((r) => r.status === 'sending').map((r) => r.mid));
  assert.ok(inFlight.size >= 4, `messages were in flight at the kill (${inFlight.size})`);
  const deliveredBeforeKill = smtp.messages.length;
  assert.ok(deliveredBeforeKill < COUNT, 'the kill happened before everything was delivered');

  // Phase 2: restart with a well-behaved relay; leases of the dead process expire and the rest drains.
  smtp.setScript({});
  await harness.start();
  await waitUntil(
    async () => {
      const res = await fetch(`${base}/v1/organizations/acme/messages?status=sent&limit=200`, { headers });
      return ((await res.json()) as { messages: unknown[] }).messages.length === COUNT;
    },
    30_000,
    'all messages sent after restart',
  );

  const arrivals = new Map<string, number>();
  for (const m of [...smtp.messages.map((c) => c.parsed), ...heldBeforeKill.map((c) => c.parsed)]) {
    const id = m.messageId ?? '';
    arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
  }
  for (const row of rows) assert.ok(arrivals.has(row.mid), `message ${row.id} was delivered`);
  const duplicated = [...arrivals].filter(([, n]) => n > 1).map(([mid]) => mid);
  for (const mid of duplicated) assert.ok(inFlight.has(mid), `${mid} arrived twice but was not in flight at the kill`);
  assert.equal(arrivals.size, COUNT);
  console.log(
    `# kill -9: ${COUNT} accepted, ${deliveredBeforeKill} delivered before the kill, ${inFlight.size} in flight, ${duplicated.length} delivered twice (same Message-ID)`,
  );
});
