// App sign-in in the settings UI, in a real browser (Debian's Chromium through playwright-core)
// against a real Relais: an owner picks Microsoft 365, fills the Entra app form in French
// (tenant, client, secret value, mailbox), the check signs in with XOAUTH2 through a real local
// token server and passes, and the owner activates. The relay is an smtp-server fixture on
// 127.0.0.99:587 presenting a certificate for smtp.office365.com (a test resolver maps the
// preset's fixed host there), verifying every XOAUTH2 string with the token server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addMember } from '../support/actors.ts';
import { chromiumMissing, ensureWebBuilt, launchChromium } from '../support/browser.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fakeResolver, setCustomSmtp } from '../support/relays.ts';
import { startSmtpFixture, type SmtpFixture } from '../support/smtp-fixture.ts';
import { TEST_CA } from '../support/tls.ts';
import { startTokenServer, type TokenServer } from '../support/token-server.ts';
import { systemClock } from '../../src/clock.ts';

const ORG = 'lycee';
const MAILBOX = 'formation@lycee.test';
const APP = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '00001111-aaaa-2222-bbbb-3333cccc4444', clientSecret: 'Qx8~Valeur.du-secret_UI~9', mailboxes: [MAILBOX] };
const OWNER = { id: 'owner-ui', email: 'owner@lycee.test', name: 'Odile Roux', password: 'owner-password-2' };


describe('app sign-in in the settings UI (Chromium)', { skip: chromiumMissing() }, () => {
  let tokens: TokenServer;
  let relay: SmtpFixture;
  let platform: SmtpFixture;
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    ensureWebBuilt();
    tokens = await startTokenServer({ clock: systemClock, microsoft: [APP] });
    relay = await startSmtpFixture({
      host: '127.0.0.99',
      port: 587,
      security: 'starttls-required',
      cert: 'providers',
      hostname: 'smtp.office365.com',
      xoauth2: (user, token) => tokens.verifyXOAuth2(user, token),
    });
    platform = await startSmtpFixture({ host: '127.0.0.1', security: 'none' });
    t = await createTestApp({
      env: {
        RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
        RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${platform.port}`,
        RELAIS_OAUTH_MICROSOFT_AUTHORITY: tokens.microsoftAuthority,
      },
      deps: { smtpCa: [TEST_CA], smtpResolver: fakeResolver({ 'smtp.office365.com': '127.0.0.99' }) },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    assert.ok(address && typeof address === 'object');
    const created = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: ORG, name: 'Lycée Jean Moulin', locale: 'fr' } });
    assert.equal(created.statusCode, 201, created.body);
    await setCustomSmtp(t, ORG, true);
    await addMember(t.app.relais, ORG, OWNER.id, 'owner', OWNER);

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1180, height: 900 }, locale: 'fr-FR' });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
    await page.goto(`http://127.0.0.1:${address.port}/`);
    await page.waitForURL('**/login');
    await page.getByLabel('Adresse e-mail').fill(OWNER.email);
    await page.getByLabel('Mot de passe').fill(OWNER.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Adresse d’envoi personnalisée' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    await Promise.all([relay?.close(), platform?.close(), tokens?.close()]);
  });

  test('an owner fills the Microsoft app form in French, the check passes, and activates', async () => {
    await page.getByRole('radio', { name: 'Microsoft 365' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Changer de fournisseur' }).waitFor();
    // App sign-in is offered first and chosen; its own guide replaces the password guide.
    const appSignIn = page.getByRole('radio', { name: 'Connexion d’application Microsoft Entra (OAuth2, recommandé)' });
    assert.equal(await appSignIn.isChecked(), true);
    assert.match(await page.locator('.guide summary').innerText(), /10 étapes/);
    assert.match(await page.locator('.guide__steps').innerText(), /SMTP\.SendAsApp/);

    await page.getByLabel('ID de l’annuaire (locataire)').fill(APP.tenantId);
    await page.getByLabel('ID d’application (client)').fill(APP.clientId);
    await page.getByLabel('Valeur du secret client').fill(APP.clientSecret);
    await page.getByLabel('Boîte aux lettres d’envoi').fill(MAILBOX);
    await page.getByLabel('Nom de l’expéditeur').fill('Lycée Jean Moulin');
    await page.getByLabel('Adresse d’envoi', { exact: true }).fill(MAILBOX);

    await page.getByRole('button', { name: 'Enregistrer et vérifier' }).click();
    await page.getByText('Vérification réussie : votre serveur accepte les envois depuis cette adresse.').waitFor();
    const auth = page.locator('[data-step="auth"]');
    assert.equal(await auth.getAttribute('data-status'), 'ok');
    assert.match(await auth.innerText(), /jeton d’accès de Microsoft/);
    // The secret is write-only: the field is empty again and says one is stored.
    assert.equal(await page.getByLabel('Valeur du secret client').inputValue(), '');
    await page.getByText('Un secret est enregistré.').waitFor();

    await page.getByRole('button', { name: 'Activer', exact: true }).click();
    await page.getByText('Adresse d’envoi activée : les prochains e-mails partent de votre serveur.').waitFor();
    const saved = await t.app.inject({ method: 'GET', url: `/v1/organizations/${ORG}/smtp-relay`, headers: t.auth });
    assert.equal(saved.json().status, 'active');
    assert.equal(saved.json().auth.type, 'oauth2-microsoft');
    assert.ok(!(await page.content()).includes(APP.clientSecret), 'the secret is not in the page');
    assert.ok(tokens.requests.some((r) => r.provider === 'microsoft' && r.ok));
    assert.deepEqual(pageErrors, []);
  });
});
