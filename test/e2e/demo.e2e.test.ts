// `relais start --demo` (what `npm start` runs) leads straight into a working setup: logins and
// a platform key are printed, the demo organization's relay is saved, its check passes, it
// activates, and the next message reaches the dev inbox through that relay.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import nodemailer from 'nodemailer';
import { tempDir } from '../support/databases.ts';
import { freePort, startRelaisProcess, type RelaisProcess } from '../support/process.ts';

let relais: RelaisProcess | undefined;
const dataDir = tempDir('relais-demo-');

after(async () => {
  relais?.kill('SIGTERM');
  await relais?.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Captured {
  server: 'platform' | 'relay';
  from: string;
  subject: string;
}

test('the demo prints its logins and key, and its relay checks, activates and delivers', async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  relais = await startRelaisProcess(
    { RELAIS_DATA_DIR: dataDir, RELAIS_PORT: String(port), RELAIS_HOST: '127.0.0.1', RELAIS_PUBLIC_URL: base, RELAIS_LOG_LEVEL: 'warn' },
    base,
    ['start', '--demo'],
  );
  const output = relais.output();
  const key = /Platform API key \(shown once, keep it\): (rls_\S+)/.exec(output)?.[1];
  assert.ok(key, `the API key is printed:\n${output}`);
  assert.match(output, /owner\s+owner@demo\.test \/ \S+/);
  assert.match(output, /Demo relay of the organization: smtp:\/\/127\.0\.0\.1:\d+/);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

  const relay = await (await fetch(`${base}/v1/organizations/demo/smtp-relay`, { headers })).json();
  assert.equal(relay.status, 'unverified');
  assert.equal(relay.hasPassword, true);

  const check = await (await fetch(`${base}/v1/organizations/demo/smtp-relay/check`, { method: 'POST', headers, body: '{}' })).json();
  assert.equal(check.report.passed, true, JSON.stringify(check.report.steps));
  // Sent with a JSON content type and no body, as many clients do.
  const activated = await fetch(`${base}/v1/organizations/demo/smtp-relay/activate`, { method: 'POST', headers });
  assert.equal(activated.status, 200);

  const sent = await fetch(`${base}/v1/organizations/demo/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ to: 'learner@example.org', subject: 'Convocation demo', text: 'Bonjour' }),
  });
  assert.equal(sent.status, 202);
  let arrived: Captured | undefined;
  const deadline = Date.now() + 10_000;
  while (!arrived) {
    const inbox = (await (await fetch(`${base}/dev/inbox/messages`)).json()) as { messages: Captured[] };
    arrived = inbox.messages.find((m) => m.subject === 'Convocation demo');
    if (!arrived) {
      assert.ok(Date.now() < deadline, 'the message reached the dev inbox');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  assert.equal(arrived.server, 'relay');
  assert.match(arrived.from, /formation@centre-demo\.test/);
  const page = await (await fetch(`${base}/dev/inbox`)).text();
  assert.match(page, /organization relay/);

  // SMTP submission: the demo listens on its documented port (or a free one when taken).
  const smtpPort = Number(/SMTP submission: [^:]+:(\d+)/.exec(output)?.[1]);
  assert.ok(smtpPort > 0, `the SMTP submission port is printed:\n${output}`);
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, auth: { user: 'demo', pass: key } });
  const info = await client.sendMail({ from: 'noreply@app.example', to: 'learner@example.org', subject: 'Convocation SMTP demo', text: 'Bonjour' });
  assert.match(info.response, /^250 2\.0\.0 Ok: queued as msg_/);
  const smtpDeadline = Date.now() + 10_000;
  for (;;) {
    const inbox = (await (await fetch(`${base}/dev/inbox/messages`)).json()) as { messages: Captured[] };
    const viaSmtp = inbox.messages.find((m) => m.subject === 'Convocation SMTP demo');
    if (viaSmtp) {
      assert.equal(viaSmtp.server, 'relay');
      assert.match(viaSmtp.from, /formation@centre-demo\.test/);
      break;
    }
    assert.ok(Date.now() < smtpDeadline, 'the message submitted over SMTP reached the dev inbox');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
