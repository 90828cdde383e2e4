// Durability of SMTP submission: every message answered `250 2.0.0 Ok: queued as …` was
// committed before that reply. SIGKILL the service right after the last 250 (its sends held
// mid-DATA by the relay); after a restart every submitted message is delivered, with the
// Message-ID its client gave it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { useDurabilityHarness } from '../support/durability.ts';
import { freePort, waitUntil } from '../support/process.ts';

const COUNT = 20;
const harness = useDurabilityHarness('smtp-kill9');

test('every message answered 250 over SMTP is delivered after a SIGKILL right after the reply', async () => {
  const { smtp, base, headers, apiKey } = harness;
  const smtpPort = await freePort();
  const submissionEnv = { RELAIS_SMTP_PORT: String(smtpPort), RELAIS_SMTP_ALLOW_INSECURE_AUTH: 'true' };

  // Phase 1: the relay takes messages in full and never answers DATA: nothing is delivered.
  smtp.setScript({ data: () => 'hang' });
  await harness.start(submissionEnv);
  const org = await fetch(`${base}/v1/organizations`, { method: 'POST', headers, body: JSON.stringify({ id: 'acme', name: 'Acme' }) });
  assert.equal(org.status, 201);

  const client = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, auth: { user: 'acme', pass: apiKey }, pool: true, maxConnections: 4 });
  const submitted: { id: string; messageId: string }[] = await Promise.all(
    Array.from({ length: COUNT }, async (_, i) => {
      const messageId = `<kill9-${i}@app.example>`;
      const info = await client.sendMail({ from: 'noreply@app.example', to: `learner${i}@example.org`, subject: `Message ${i}`, text: `body ${i}`, messageId });
      assert.match(info.response, /^250 2\.0\.0 Ok: queued as msg_/);
      return { id: info.response.split(' ').at(-1) as string, messageId };
    }),
  );
  await harness.kill();
  client.close();

  const rows = harness.read<{ id: string; source: string; mid: string }>('select id, source, message_id_header as mid from messages');
  for (const s of submitted) {
    const row = rows.find((r) => r.id === s.id);
    assert.ok(row, `message ${s.id} was committed before its 250`);
    assert.equal(row.source, 'smtp');
    assert.equal(row.mid, s.messageId);
  }
  assert.equal(smtp.messages.length, 0, 'nothing was delivered before the kill');

  // Phase 2: restart with a relay that answers; the dead process's leases expire and all drain.
  smtp.setScript({});
  await harness.start(submissionEnv);
  await waitUntil(() => new Set(smtp.messages.map((m) => m.parsed.messageId)).size === COUNT, 30_000, 'every submitted message delivered');
  const delivered = new Set(smtp.messages.map((m) => m.parsed.messageId));
  for (const s of submitted) assert.ok(delivered.has(s.messageId), `${s.messageId} delivered`);
  const res = await fetch(`${base}/v1/organizations/acme/messages?limit=200`, { headers });
  const listed = ((await res.json()) as { messages: { source: string }[] }).messages;
  assert.equal(listed.length, COUNT);
  assert.ok(listed.every((m) => m.source === 'smtp'));
});
