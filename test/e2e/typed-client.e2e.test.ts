// The typed client (clients/typescript) against a real Relais process: only the generated client
// talks to the API here, as a platform's code would. It creates an organization, sends an email
// that arrives at the platform sender, follows it to `sent`, reads relay settings and presets,
// and meets the documented errors as typed `{ error: { code, message, details } }` answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRelaisClient, ok, RelaisError, type RelaisClient } from '../../clients/typescript/src/index.ts';
import { startSmtpFixture, type SmtpFixture } from '../support/smtp-fixture.ts';
import { tempDir } from '../support/databases.ts';
import { freePort, startRelaisProcess, waitUntil, type RelaisProcess } from '../support/process.ts';

const API_KEY = 'rls_typed-client-test-key-0123456789ab';

let platformSender: SmtpFixture;
let relayServer: SmtpFixture;
let dataDir: string;
let relais: RelaisProcess;
let client: RelaisClient;
let baseUrl: string;

before(async () => {
  platformSender = await startSmtpFixture({ security: 'none' });
  relayServer = await startSmtpFixture({ security: 'none', auth: { username: 'formation@centre.test', password: 'app-password' } });
  dataDir = tempDir('relais-client-');
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  relais = await startRelaisProcess(
    {
      RELAIS_DATA_DIR: dataDir,
      RELAIS_PORT: String(port),
      RELAIS_HOST: '127.0.0.1',
      RELAIS_PUBLIC_URL: baseUrl,
      RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${platformSender.port}`,
      RELAIS_PLATFORM_FROM: 'Platform <hello@platform.example>',
      RELAIS_BOOTSTRAP_API_KEY: API_KEY,
      RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
      RELAIS_SMTP_ALLOWED_PORTS: `25,465,587,2525,${relayServer.port}`,
      RELAIS_LOG_LEVEL: 'warn',
    },
    baseUrl,
  );
  client = createRelaisClient({ baseUrl: `${baseUrl}/`, apiKey: API_KEY });
});

after(async () => {
  // Its pooled SMTP connections end with it, so the fixtures can close.
  relais.kill('SIGKILL');
  await relais.exited;
  await platformSender.close();
  await relayServer.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('creates an organization and sends an email that arrives, followed to `sent`', async () => {
  const org = await ok(client.POST('/v1/organizations', { body: { id: 'centre-lyon', name: 'Centre de formation Lyon', locale: 'fr' } }));
  assert.equal(org.id, 'centre-lyon');
  assert.equal(org.features.customSmtp, false);

  const accepted = await ok(
    client.POST('/v1/organizations/{orgId}/messages', {
      params: { path: { orgId: 'centre-lyon' }, header: { 'idempotency-key': 'signature-S42-lea' } },
      body: { to: 'Léa Martin <lea@example.org>', subject: 'Signez votre feuille de présence', text: 'Bonjour Léa', category: 'signature-request' },
    }),
  );
  assert.equal(accepted.status, 'queued');

  const [email] = await platformSender.waitForMessages(1, 15_000);
  assert.deepEqual(email?.envelope.to, ['lea@example.org']);
  assert.equal(email?.parsed.subject, 'Signez votre feuille de présence');

  let status = '';
  await waitUntil(
    async () => {
      const message = await ok(client.GET('/v1/organizations/{orgId}/messages/{messageId}', { params: { path: { orgId: 'centre-lyon', messageId: accepted.id } } }));
      status = message.status;
      return message.status === 'sent' && message.history.length === 1 && message.recipients[0]?.address === 'lea@example.org';
    },
    15_000,
    'the message to be sent',
  );
  assert.equal(status, 'sent');

  const page = await ok(client.GET('/v1/organizations/{orgId}/messages', { params: { path: { orgId: 'centre-lyon' }, query: { status: 'sent', limit: 10 } } }));
  assert.deepEqual(
    page.messages.map((m) => [m.id, m.to]),
    [[accepted.id, ['lea@example.org']]],
  );
  const events = await ok(client.GET('/v1/events', { params: { query: { organizationId: 'centre-lyon', type: 'message.sent' } } }));
  assert.deepEqual(
    events.events.map((e) => e.messageId),
    [accepted.id],
  );
});

test('answers documented errors as typed { error: { code, message, details } }', async () => {
  const again = await client.POST('/v1/organizations', { body: { id: 'centre-lyon', name: 'Twice' } });
  assert.equal(again.response.status, 409);
  assert.equal(again.error?.error.code, 'organization_exists');

  const invalid = await client.POST('/v1/organizations/{orgId}/messages', {
    params: { path: { orgId: 'centre-lyon' } },
    body: { to: ['not an address'], subject: 'Hello', text: 'Hi' },
  });
  assert.equal(invalid.response.status, 422);
  assert.equal(invalid.error?.error.code, 'invalid_address');
  assert.ok(Array.isArray(invalid.error.error.details));

  await assert.rejects(
    ok(client.GET('/v1/organizations/{orgId}/messages/{messageId}', { params: { path: { orgId: 'centre-lyon', messageId: 'msg_unknown' } } })),
    (error: unknown) => error instanceof RelaisError && error.status === 404 && error.code === 'message_not_found' && error.message.includes('msg_unknown'),
  );

  const stranger = createRelaisClient({ baseUrl, apiKey: 'rls_not-a-key' });
  const refused = await stranger.GET('/v1/organizations/{orgId}', { params: { path: { orgId: 'centre-lyon' } } });
  assert.equal(refused.response.status, 401);
  assert.equal(refused.error?.error.code, 'unauthenticated');
});

test("sets up the organization's own relay, activates it after a check, and deletes it (204)", async () => {
  const orgId = 'centre-lyon';
  const path = { path: { orgId } };
  await ok(client.PATCH('/v1/organizations/{orgId}', { params: path, body: { features: { customSmtp: true } } }));
  const { presets } = await ok(client.GET('/v1/smtp-presets'));
  const custom = presets.find((p) => p.id === 'custom');
  assert.ok(custom && custom.guide.en.length > 0);

  const saved = await client.PUT('/v1/organizations/{orgId}/smtp-relay', {
    params: path,
    body: {
      preset: 'custom',
      host: '127.0.0.1',
      port: relayServer.port,
      security: 'none',
      username: 'formation@centre.test',
      password: 'app-password',
      fromEmail: 'formation@centre.test',
      fromName: 'Centre de formation Lyon',
      fallbackPolicy: 'fallback',
    },
  });
  assert.equal(saved.response.status, 201);
  assert.equal(saved.data?.status, 'unverified');

  const notYet = await client.POST('/v1/organizations/{orgId}/smtp-relay/activate', { params: path });
  assert.equal(notYet.response.status, 409);
  assert.equal(notYet.error?.error.code, 'relay_not_verified');

  const checked = await ok(client.POST('/v1/organizations/{orgId}/smtp-relay/check', { params: path, body: { toEmail: 'owner@centre.test' } }));
  assert.equal(checked.report.passed, true, JSON.stringify(checked.report.steps.filter((s) => s.status === 'fail')));
  assert.equal(checked.recordedVersion, saved.data?.version);

  const active = await ok(client.POST('/v1/organizations/{orgId}/smtp-relay/activate', { params: path, body: {} }));
  assert.equal(active.status, 'active');
  assert.equal(active.inUse, true);
  const status = await ok(client.GET('/v1/organizations/{orgId}/smtp-relay/status', { params: path }));
  assert.deepEqual([status.status, status.fromEmail], ['active', 'formation@centre.test']);

  const deleted = await client.DELETE('/v1/organizations/{orgId}/smtp-relay', { params: path });
  assert.equal(deleted.response.status, 204);
  assert.equal(deleted.error, undefined);
  const gone = await client.GET('/v1/organizations/{orgId}/smtp-relay', { params: path });
  assert.equal(gone.error?.error.code, 'relay_not_found');
});
