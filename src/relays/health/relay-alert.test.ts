import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainById } from '../../smtp/explanations.ts';
import { failingAlert, recoveredAlert } from './relay-alert.ts';

const since = Date.UTC(2026, 10, 28, 9, 5);

test('the failing alert carries the explanation for the provider, the reply, the policy and the settings link, in French', () => {
  const alert = failingAlert({
    locale: 'fr',
    organizationName: 'Lycée Condorcet',
    fromEmail: 'formation@condorcet.fr',
    host: 'smtp.office365.com',
    policy: 'hold',
    explanation: explainById('microsoft-smtp-auth-disabled', { preset: 'microsoft-365', locale: 'fr' }),
    reply: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
    since,
    maxAgeHours: 24,
    settingsUrl: 'https://relais.example/settings/emails',
  });
  const expected = explainById('microsoft-smtp-auth-disabled', { preset: 'microsoft-365', locale: 'fr' });
  assert.equal(alert.subject, `Votre serveur d'envoi ne fonctionne plus : ${expected.title}`);
  assert.ok(alert.text.includes(expected.cause));
  expected.fix.forEach((step, i) => assert.ok(alert.text.includes(`${i + 1}. ${step}`), step));
  assert.match(alert.text, /Réponse du serveur : 535 5\.7\.139/);
  assert.match(alert.text, /mis en attente/);
  assert.match(alert.text, /28 novembre 2026 à 09:05 UTC/);
  assert.match(alert.text, /https:\/\/relais\.example\/settings\/emails$/);
});

test('the recovered alert says how long it lasted, in English', () => {
  const alert = recoveredAlert({
    locale: 'en',
    organizationName: 'Acme Training',
    fromEmail: 'training@acme.test',
    policy: 'fallback',
    since,
    at: since + 95 * 60_000,
    settingsUrl: 'https://relais.example/settings/emails',
  });
  assert.equal(alert.subject, 'Your sending server works again');
  assert.match(alert.text, /lasted 95 min/);
  assert.match(alert.text, /left from the platform's address/);
});
