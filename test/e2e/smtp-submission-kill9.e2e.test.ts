// Durability of SMTP submission: every message answered `250 2.0.0 Ok: queued as …` was
// committed before that reply. SIGKILL the service right after the last 250 (its sends held
// mid-DATA by the relay); after a restart every submitted message is delivered, with the
// Message-ID its client gave it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import nodemailer from 'nodemailer';
import { startSmtpFixture, type SmtpFixture } from '../support/smtp-fixture.ts';
import { tempDir } from '../support/databases.ts';
import { freePort, startRelaisProcess, waitUntil, type RelaisProcess } from '../support/process.ts';

const API_KEY = 'rls_smtp-kill9-test-key-0123456789abcdef';
const COUNT = 20;

let smtp: SmtpFixture;
let dataDir: string;
let relais: RelaisProcess | undefined;

before(async () => {
  smtp = await startSmtpFixture({ security: 'none' });
  dataDir = tempDir('relais-smtp-kill9-');
});
after(async () => {
  relais?.kill('SIGKILL');
  await smtp.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('every message answered 250 over SMTP is delivered after a SIGKILL right after the reply', async () => {
  const port = await freePort();
  const smtpPort = await freePort();
  const env = {
    RELAIS_DATA_DIR: dataDir,
    RELAIS_PORT: String(port),
    RELAIS_HOST: '127.0.0.1',
    RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    RELAIS_PLATFORM_FROM: 'Platform <hello@platform.example>',
    RELAIS_BOOTSTRAP_API_KEY: API_KEY,
    RELAIS_LEASE_SECONDS: '2',
    RELAIS_LOG_LEVEL: 'warn',
    RELAIS_SMTP_PORT: String(smtpPort),
    RELAIS_SMTP_ALLOW_INSECURE_AUTH: 'true',
  };
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

  // Phase 1: the relay takes messages in full and never answers DATA: nothing is delivered.
  smtp.setScript({ data: () => 'hang' });
  relais = await startRelaisProcess(env, base);
  const org = await fetch(`${base}/v1/organizations`, { method: 'POST', headers, body: JSON.stringify({ id: 'acme', name: 'Acme' }) });
  assert.equal(org.status, 201);

  const client = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, auth: { user: 'acme', pass: API_KEY }, pool: true, maxConnections: 4 });
  const submitted: { id: string; messageId: string }[] = await Promise.all(
    Array.from({ length: COUNT }, async (_, i) => {
      const messageId = `<kill9-${i}@app.example>`;
      const info = await client.sendMail({ from: 'noreply@app.example', to: `learner${i}@example.org`, subject: `Message ${i}`, text: `body ${i}`, messageId });
      assert.match(info.response, /^250 2\.0\.0 Ok: queued as msg_/);
      return { id: info.response.split(' ').at(-1) as string, messageId };
    }),
  );
  relais.kill('SIGKILL');
  await relais.exited;
  client.close();

  const db = new DatabaseSync(path.join(dataDir, 'relais.db'), { readOnly: true });
  const rows = db.prepare('select id, source, message_id_header as mid from messages').all() as { id: string; source: string; mid: string }[];
  db.close();
  for (const s of submitted) {
    const row = rows.find((r) => r.id === s.id);
    assert.ok(row, `message ${s.id} was committed before its 250`);
    assert.equal(row.source, 'smtp');
    assert.equal(row.mid, s.messageId);
  }
  assert.equal(smtp.messages.length, 0, 'nothing was delivered before the kill');

  // Phase 2: restart with a relay that answers; the dead process's leases expire and all drain.
  smtp.setScript({});
  relais = await startRelaisProcess(env, base);
  await waitUntil(() => new Set(smtp.messages.map((m) => m.parsed.messageId)).size === COUNT, 30_000, 'every submitted message delivered');
  const delivered = new Set(smtp.messages.map((m) => m.parsed.messageId));
  for (const s of submitted) assert.ok(delivered.has(s.messageId), `${s.messageId} delivered`);
  const res = await fetch(`${base}/v1/organizations/acme/messages?limit=200`, { headers });
  const listed = ((await res.json()) as { messages: { source: string }[] }).messages;
  assert.equal(listed.length, COUNT);
  assert.ok(listed.every((m) => m.source === 'smtp'));
});
