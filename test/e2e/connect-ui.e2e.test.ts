// "Se connecter avec Microsoft" in the settings UI, in a real browser (Debian's Chromium through
// playwright-core) against a real Relais and a real local OpenID provider with a consent page
// (test/support/connect-provider.ts). The platform registered Microsoft only: Gmail shows no
// Google button, Microsoft 365 shows the Microsoft one with the three sign-in methods. The owner
// refuses consent once and reads why; then consents, comes back, sees the connected mailbox and
// the check passing at once (XOAUTH2 with a token from the refresh token), activates; follows an
// alert's reconnect link straight to the provider; and disconnects. No page reports a CSP
// violation or a script error.
//
// Relais listens on 127.0.0.122:8080 (its public URL, so the provider's redirect comes back to
// it); the relay is an smtp-server fixture on 127.0.0.121:587 presenting a certificate for
// smtp.office365.com (a test resolver maps the preset's host there). Addresses 127.0.0.121-125
// are this file's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addMember } from '../support/actors.ts';
import { chromiumMissing, ensureWebBuilt, launchChromium, ROOT, watchPage, type PageReports } from '../support/browser.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { startConnectProvider, type ConnectProvider } from '../support/connect-provider.ts';
import { fakeResolver, setCustomSmtp } from '../support/relays.ts';
import { startSmtpFixture, type SmtpFixture } from '../support/smtp-fixture.ts';
import { TEST_CA } from '../support/tls.ts';
import { systemClock } from '../../src/clock.ts';

const ORG = 'lycee-connect';
const MAILBOX = 'formation@lycee.test';
const MICROSOFT = { clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'ms~platform.secret-value' };
const OWNER = { id: 'owner-connect', email: 'owner@lycee.test', name: 'Odile Roux', password: 'owner-password-3' };
const BASE = 'http://127.0.0.122:8080';

describe('Connect with Microsoft in the settings UI (Chromium)', { skip: chromiumMissing() }, () => {
  let provider: ConnectProvider;
  let relay: SmtpFixture;
  let platform: SmtpFixture;
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const reports: PageReports = { pageErrors: [], cspViolations: [] };
  const cspHeaders = new Set<string>();

  before(async () => {
    ensureWebBuilt();
    provider = await startConnectProvider({ clock: systemClock, microsoft: MICROSOFT });
    provider.consentPage = true;
    relay = await startSmtpFixture({
      host: '127.0.0.121',
      port: 587,
      security: 'starttls-required',
      cert: 'providers',
      hostname: 'smtp.office365.com',
      xoauth2: (user, token) => provider.verifyXOAuth2(user, token),
    });
    platform = await startSmtpFixture({ host: '127.0.0.1', security: 'none' });
    t = await createTestApp({
      env: {
        RELAIS_PUBLIC_URL: BASE,
        RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
        RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${platform.port}`,
        RELAIS_OAUTH_MICROSOFT_AUTHORITY: provider.microsoftAuthority,
        RELAIS_OAUTH_MICROSOFT_CLIENT_ID: MICROSOFT.clientId,
        RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET: MICROSOFT.clientSecret,
      },
      deps: { smtpCa: [TEST_CA], smtpResolver: fakeResolver({ 'smtp.office365.com': '127.0.0.121' }) },
    });
    await t.app.listen({ port: 8080, host: '127.0.0.122' });
    const created = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: ORG, name: 'Lycée Jean Moulin', locale: 'fr' } });
    assert.equal(created.statusCode, 201, created.body);
    await setCustomSmtp(t, ORG, true);
    await addMember(t.app.relais, ORG, OWNER.id, 'owner', OWNER);

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1180, height: 900 }, locale: 'fr-FR' });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    await watchPage(page, reports);
    page.on('response', (response) => {
      if (response.request().resourceType() === 'document' && response.url().startsWith(BASE)) cspHeaders.add(response.headers()['content-security-policy'] ?? '(none)');
    });
    await page.goto(`${BASE}/`);
    await page.waitForURL('**/login');
    await page.getByLabel('Adresse e-mail').fill(OWNER.email);
    await page.getByLabel('Mot de passe').fill(OWNER.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Adresse d’envoi personnalisée' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    await Promise.all([relay?.close(), platform?.close(), provider?.close()]);
  });

  const relayView = async () => t.app.inject({ method: 'GET', url: `/v1/organizations/${ORG}/smtp-relay`, headers: t.auth });
  const connectButton = () => page.getByRole('button', { name: 'Se connecter avec Microsoft' });

  async function choose(name: string): Promise<void> {
    const change = page.getByRole('button', { name: 'Changer de fournisseur' });
    if (await change.isVisible()) await change.click();
    await page.getByRole('radio', { name, exact: true }).focus();
    await page.keyboard.press('Enter');
    await change.waitFor();
  }

  test('a provider the platform has not registered shows no button (Gmail); a registered one does, with the three methods explained (Microsoft 365)', async () => {
    await choose('Gmail');
    assert.equal(await page.getByTestId('connect-panel').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Se connecter avec Google/ }).count(), 0);

    await choose('Microsoft 365');
    const panel = page.getByTestId('connect-panel');
    await panel.waitFor();
    const text = await panel.innerText();
    assert.match(text, /Trois façons de se connecter/);
    assert.match(text, /Se connecter avec Microsoft :/);
    assert.match(text, /Connexion d’application \(OAuth2\) :/);
    assert.match(text, /Mot de passe :/);
    assert.match(text, /Recommandé pour Microsoft 365 : « Se connecter avec Microsoft »/);
    await connectButton().waitFor();
  });

  test('refusing consent at the provider brings the owner back with a clear message; nothing is saved', async () => {
    await connectButton().click();
    await page.waitForURL(`${provider.url}/**`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${BASE}/settings/emails/smtp`);
    const problem = page.getByTestId('connect-problem');
    await problem.waitFor();
    assert.equal(await problem.getAttribute('role'), 'alert');
    assert.match(await problem.innerText(), /L’accès n’a pas été accepté chez le fournisseur : rien n’a changé\./);
    assert.ok(!(await problem.innerText()).includes('access_denied'), 'never the provider’s words');
    // The code is taken out of the address: a reload does not show it again.
    assert.equal(new URL(page.url()).search, '');
    assert.equal((await relayView()).statusCode, 404);
  });

  test('consenting connects the mailbox: back on the page, the mailbox shows and the check passes at once; the owner activates', async () => {
    provider.signInAs = MAILBOX;
    await choose('Microsoft 365');
    await connectButton().click();
    await page.waitForURL(`${provider.url}/**`);
    const asked = new URL(page.url()).searchParams;
    assert.equal(asked.get('code_challenge_method'), 'S256');
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${BASE}/settings/emails/smtp`);

    await page.getByTestId('connected-mailbox').waitFor();
    assert.match(await page.getByTestId('connected-mailbox').innerText(), /Boîte connectée avec Microsoft\s+formation@lycee\.test/);
    assert.match(await page.getByTestId('relay-connected-user').innerText(), /formation@lycee\.test/);
    // The check ran by itself, and signed in with XOAUTH2 through the connected mailbox.
    await page.getByText('Vérification réussie : votre serveur accepte les envois depuis cette adresse.').waitFor();
    assert.equal(await page.locator('[data-step="auth"]').getAttribute('data-status'), 'ok');
    assert.equal(new URL(page.url()).search, '');

    await page.getByTestId('connect-panel').scrollIntoViewIfNeeded();
    await page.mouse.move(0, 0);
    await page.getByTestId('connect-panel').screenshot({ path: path.join(ROOT, 'docs/screenshots/smtp-connected-fr.png') });

    await page.getByRole('button', { name: 'Activer', exact: true }).click();
    await page.getByText('Adresse d’envoi activée : les prochains e-mails partent de votre serveur.').waitFor();
    const saved = (await relayView()).json();
    assert.equal(saved.status, 'active');
    assert.deepEqual(saved.auth, { type: 'oauth2-connected', provider: 'microsoft', user: MAILBOX, connected: true });
    const content = await page.content();
    for (const token of provider.refreshTokens()) assert.ok(!content.includes(token), 'no refresh token in the page');
  });

  test("an alert's reconnect link opens the provider at once for the connected mailbox, and comes back connected", async () => {
    await page.goto(`${BASE}/settings/emails/smtp?reconnect=microsoft`);
    await page.waitForURL(`${provider.url}/**`);
    assert.equal(new URL(page.url()).searchParams.get('login_hint'), MAILBOX);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${BASE}/settings/emails/smtp`);
    await page.getByText('Vérification réussie : votre serveur accepte les envois depuis cette adresse.').waitFor();
    await page.getByRole('button', { name: 'Se reconnecter avec Microsoft' }).waitFor();
    const audit = (await t.app.inject({ method: 'GET', url: `/v1/organizations/${ORG}/audit-log`, headers: t.auth })).body;
    assert.match(audit, /relay\.reconnected/);
  });

  test('Disconnect asks first, then deletes the connection: emails leave from the platform address again', async () => {
    await page.getByRole('button', { name: 'Déconnecter', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Déconnecter ${MAILBOX} ?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Déconnecter' }).click();
    await page.getByText('Boîte déconnectée : les e-mails partent de l’adresse de la plateforme.').first().waitFor();
    assert.equal((await relayView()).statusCode, 404);
    assert.equal(await page.getByTestId('connected-mailbox').count(), 0);
    await connectButton().waitFor();
    const audit = (await t.app.inject({ method: 'GET', url: `/v1/organizations/${ORG}/audit-log`, headers: t.auth })).body;
    assert.match(audit, /relay\.disconnected/);
  });

  test('every page ran under the CSP without a violation or a script error', () => {
    assert.ok([...cspHeaders].every((h) => /default-src 'self'|script-src/.test(h)), [...cspHeaders].join(' | '));
    assert.deepEqual(reports.cspViolations, []);
    assert.deepEqual(reports.pageErrors, []);
  });
});
