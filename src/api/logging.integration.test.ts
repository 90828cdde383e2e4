// Logs carry ids, never bodies, recipients, subjects or secrets — even at trace level, for
// requests whose URLs or bodies hold them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRelayTestApp, type RelayTestApp } from '../../test/support/relays.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';

let smtp: SmtpFixture;
let t: RelayTestApp;

before(async () => {
  smtp = await startSmtpFixture({ security: 'none' });
  t = await createRelayTestApp({ env: { RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
  await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
});
after(async () => {
  await t.close();
  await smtp.close();
});

test('no log line holds a recipient, a subject, a body, an API key or an embed token', async () => {
  const secrets = ['lea.martin@example.org', 'Signez votre feuille', 'corps-du-message-confidentiel', 'parti@example.org', t.apiKey];
  const sent = await t.app.inject({
    method: 'POST',
    url: '/v1/organizations/acme/messages',
    headers: t.auth,
    payload: { to: 'Léa <lea.martin@example.org>', subject: 'Signez votre feuille', text: 'corps-du-message-confidentiel' },
  });
  assert.equal(sent.statusCode, 202);
  await t.app.relais.dispatcher.runOnce();
  await smtp.waitForMessages(1);
  // A refused recipient: the server's reply names it, the logs must not.
  smtp.setScript({ rcpt: (to) => ({ code: 550, text: `5.1.1 <${to}>: Recipient address rejected: User unknown` }) });
  await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', headers: t.auth, payload: { to: 'parti@example.org', subject: 'x', text: 'y' } });
  await t.app.relais.dispatcher.runOnce();
  smtp.setScript({});
  const filtered = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/messages?recipient=lea.martin%40example.org', headers: t.auth });
  assert.equal(filtered.statusCode, 200);
  await t.app.relais.members.put('acme', 'u1', { email: 'owner@acme.test', name: 'Owner', role: 'owner' }, { kind: 'system', name: 'test' });
  const embed = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: 'acme', userId: 'u1' } });
  const { token } = embed.json() as { token: string };
  secrets.push(token);
  await t.app.inject({ method: 'GET', url: `/embed?token=${encodeURIComponent(token)}` });

  assert.ok(t.logs.length > 5, 'the app did log');
  for (const line of t.logs) {
    for (const secret of secrets) assert.ok(!line.includes(secret) && !line.includes(encodeURIComponent(secret)), `log line holds "${secret.slice(0, 12)}…": ${line.slice(0, 200)}`);
  }
});
