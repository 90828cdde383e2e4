// The settings UI in a real browser (Debian's Chromium through playwright-core) against a
// real Relais on SQLite and real SMTP relays: an owner turns the beta on, configures a relay,
// sees the wrong password explained, fixes it, activates, and the next email leaves through
// the relay and shows in the delivery log; an admin only sees the read-only status; a member
// signed in through the platform's embed link lands in their organization's language; both
// languages work, and the page fits a 375 px phone. Every page runs under Relais's
// Content-Security-Policy, and none may report a violation. Screenshots go to docs/screenshots/.
//
// Relays: the owner's relay is an smtp-server fixture on 127.0.0.31:587 requiring STARTTLS
// and AUTH, reached as mail.relay.test (a test resolver maps the name) so TLS is verified
// for real against the fixture certificate (it names relay.test hosts) and the test CA. The
// platform sender is a plain fixture on 127.0.0.32. The platform's page that embeds Relais
// is served from 127.0.0.33 (listed in RELAIS_FRAME_ANCESTORS), another site's from 127.0.0.34.
// Addresses 127.0.0.31-40 are this file's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addMember } from '../support/actors.ts';
import { chromiumMissing, ensureWebBuilt, launchChromium, ROOT, watchPage } from '../support/browser.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fakeResolver } from '../support/relays.ts';
import { startSmtpFixture, type SmtpFixture } from '../support/smtp-fixture.ts';
import { TEST_CA } from '../support/tls.ts';

const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');

const ORG = 'ecole';
const RELAY_HOST = 'mail.relay.test';
const CREDENTIALS = { username: 'formation@ecole.test', password: 'Bon-Mot-de-passe-2026' };
const OWNER = { id: 'owner-1', email: 'owner@ecole.test', name: 'Olivia Martin', password: 'owner-password-1' };
const ADMIN = { id: 'admin-1', email: 'admin@ecole.test', name: 'Adam Petit', password: 'admin-password-1' };


const skip = chromiumMissing();

/** A web page on `host` that shows `?src=` in an iframe, as the platform embeds the settings page. */
async function framingSite(host: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const src = new URL(request.url ?? '/', 'http://site').searchParams.get('src') ?? '';
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(`<!doctype html><title>Platform</title><iframe id="relais" title="Relais" src="${src.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}" width="1000" height="700"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://${host}:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('settings UI in Chromium', { skip }, () => {
  let relay: SmtpFixture;
  let platform: SmtpFixture;
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let platformSite: Awaited<ReturnType<typeof framingSite>>;
  let otherSite: Awaited<ReturnType<typeof framingSite>>;

  before(async () => {
    ensureWebBuilt();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    relay = await startSmtpFixture({ host: '127.0.0.31', port: 587, security: 'starttls-required', auth: CREDENTIALS, hostname: RELAY_HOST });
    platform = await startSmtpFixture({ host: '127.0.0.32', security: 'none' });
    platformSite = await framingSite('127.0.0.33');
    otherSite = await framingSite('127.0.0.34');
    t = await createTestApp({
      env: {
        RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
        RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.32:${platform.port}`,
        RELAIS_FRAME_ANCESTORS: `'self' ${platformSite.origin}`,
      },
      deps: { smtpCa: [TEST_CA], smtpResolver: fakeResolver({ [RELAY_HOST]: '127.0.0.31' }) },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    assert.ok(address && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;

    const created = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: ORG, name: 'École Les Tilleuls', locale: 'fr' } });
    assert.equal(created.statusCode, 201, created.body);
    await addMember(t.app.relais, ORG, OWNER.id, 'owner', OWNER);
    await addMember(t.app.relais, ORG, ADMIN.id, 'admin', ADMIN);

    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    await relay?.close();
    await platform?.close();
    await platformSite?.close();
    await otherSite?.close();
  });

  async function shot(page: Page, name: string, fullPage = true): Promise<void> {
    // No hover effect in the pictures: the pointer rests in a corner.
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
  }

  /** Script errors in any page of the run; the UI must not throw. */
  const pageErrors: string[] = [];
  /** Anything the browser blocked or reported under the Content-Security-Policy, in any page of the run. */
  const cspViolations: string[] = [];
  /** The CSP headers the pages were served with (to show the policy was really in force). */
  const cspHeaders = new Set<string>();

  /** A page whose script errors and CSP violations are recorded. */
  async function watchedPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await watchPage(page, { pageErrors, cspViolations });
    page.on('response', (response) => {
      if (response.request().resourceType() === 'document') cspHeaders.add(response.headers()['content-security-policy'] ?? '(none)');
    });
    return page;
  }

  async function signIn(context: BrowserContext, who: { email: string; password: string }): Promise<Page> {
    // Every step takes well under a second; a missing element fails fast instead of after 30 s.
    context.setDefaultTimeout(10_000);
    const page = await watchedPage(context);
    await page.goto(`${base}/`);
    await page.waitForURL('**/login');
    await page.getByLabel('Adresse e-mail').fill(who.email);
    await page.getByLabel('Mot de passe').fill(who.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Adresse d’envoi personnalisée' }).waitFor();
    return page;
  }

  const stepRow = (page: Page, step: string) => page.locator(`[data-step="${step}"]`);

  describe('an owner', () => {
    let context: BrowserContext;
    let page: Page;

    before(async () => {
      context = await browser.newContext({ viewport: { width: 1180, height: 900 }, locale: 'fr-FR' });
      page = await signIn(context, OWNER);
    });
    after(async () => {
      await context.close();
    });

    test('turns the beta on in Settings › Organization and sees it saved', async () => {
      await assert.doesNotReject(page.getByText('L’adresse d’envoi personnalisée est désactivée').waitFor());
      await page.getByRole('navigation', { name: 'Paramètres' }).getByRole('link', { name: 'Organisation' }).click();
      const toggle = page.getByRole('switch', { name: /Adresse d’envoi personnalisée \(SMTP\)/ });
      assert.equal(await toggle.getAttribute('aria-checked'), 'false');
      await toggle.click();
      await page.getByText('Enregistré : l’adresse d’envoi personnalisée est activée.').waitFor();
      assert.equal(await toggle.getAttribute('aria-checked'), 'true');
      const org = await t.app.inject({ method: 'GET', url: `/v1/organizations/${ORG}`, headers: t.auth });
      assert.equal(org.json().features.customSmtp, true);
    });

    test('picks a provider with the keyboard, sees its guide, and gets validation messages next to the fields', async () => {
      await page.getByRole('link', { name: 'Configurer l’adresse d’envoi' }).click();
      await page.getByText('Aucune adresse d’envoi configurée').waitFor();
      assert.equal(await page.getByRole('radio').count(), 16, 'every preset is offered');
      await shot(page, 'smtp-providers-fr', false);
      // Radio group: from the first provider, ArrowLeft wraps to the last one ("other SMTP server"); Enter confirms.
      const gmail = page.getByRole('radio', { name: 'Gmail', exact: true });
      await gmail.focus();
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Changer de fournisseur' }).waitFor();
      assert.match(await page.locator('.guide summary').innerText(), /Guide Autre serveur SMTP en \d+ étapes/);
      assert.ok((await page.locator('.guide__steps li').count()) > 1, 'the guide has numbered steps');

      await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await page.getByText('Corrigez les champs signalés.').waitFor();
      const host = page.getByLabel('Serveur SMTP');
      assert.equal(await host.getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#relay-host-error').innerText(), 'Saisissez le serveur SMTP, par exemple smtp.votre-domaine.fr.');
      assert.ok(await host.evaluate((el) => el === document.activeElement), 'focus goes to the first invalid field');
      assert.equal(await page.getByLabel('Mot de passe').getAttribute('aria-invalid'), 'true');
    });

    test('configures the relay with a wrong password and sees the failing step explained', async () => {
      await page.getByLabel('Serveur SMTP').fill(RELAY_HOST);
      assert.equal(await page.getByLabel('Port', { exact: true }).inputValue(), '587');
      await page.getByLabel('Identifiant', { exact: true }).fill(CREDENTIALS.username);
      await page.getByLabel('Mot de passe').fill('not-the-password');
      await page.getByLabel('Nom de l’expéditeur').fill('École Les Tilleuls');
      await page.getByLabel('Adresse d’envoi', { exact: true }).fill('formation@ecole.test');
      await page.getByLabel('Adresse d’envoi', { exact: true }).blur();
      assert.equal(await page.getByTestId('sender-preview').innerText(), 'École Les Tilleuls <formation@ecole.test>');
      assert.equal(await page.locator('[aria-invalid="true"]').count(), 0, 'the messages go once the fields are right');
      await shot(page, 'smtp-setup-fr');

      const checked = page.waitForResponse((r) => r.url().endsWith(`/v1/organizations/${ORG}/smtp-relay/check`));
      await page.getByRole('button', { name: 'Enregistrer et vérifier' }).click();
      // The check is streamed, one line per finished step, so the rows fill in as it runs.
      assert.match((await checked).headers()['content-type'] ?? '', /application\/x-ndjson/);
      await stepRow(page, 'auth').and(page.locator('[data-status="fail"]')).waitFor();
      for (const step of ['dns', 'connect', 'greeting', 'tls']) assert.equal(await stepRow(page, step).getAttribute('data-status'), 'ok', step);
      await page.getByText('La vérification a échoué à l’étape « Authentification ».').waitFor();
      const explanation = page.locator('.check__explained .explanation');
      assert.equal(await explanation.locator('.explanation__title').innerText(), 'Identifiant ou mot de passe refusé');
      assert.match(await explanation.locator('.explanation__reply').innerText(), /535 5\.7\.8/);
      assert.ok((await explanation.locator('.explanation__fix li').count()) >= 2, 'numbered fix steps');
      await page.getByText('Réglages non vérifiés').waitFor();
      // The password never comes back: the field is empty and says one is stored.
      assert.equal(await page.getByLabel('Mot de passe').inputValue(), '');
      await page.getByText('Un mot de passe est enregistré.').waitFor();
      await stepRow(page, 'auth').scrollIntoViewIfNeeded();
      await page.locator('#setup-step-4').scrollIntoViewIfNeeded();
      await page.mouse.move(0, 0);
      await page.locator('section:has(#setup-step-4)').screenshot({ path: path.join(SCREENSHOTS, 'check-failed-fr.png') });
    });

    test('switches to English, which is remembered, and reads the same failure in English', async () => {
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { level: 1, name: 'Custom sending address' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Custom sending address' }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      await page.getByText('Settings not verified').waitFor();
      // The status card explains the last check's failure (its explanation id, translated), never the raw server reply.
      const lastCheck = await page.getByTestId('last-check').innerText();
      assert.match(lastCheck, /Username or password rejected/);
      assert.doesNotMatch(lastCheck, /535/);
      await shot(page, 'smtp-setup-en');
      await page.getByRole('button', { name: 'Change provider' }).click();
      await page.getByRole('radio', { name: 'Microsoft 365' }).waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, 'smtp-providers-en', false);
      await page.getByRole('radio', { name: 'Other SMTP server' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Change provider' }).waitFor();

      await page.getByRole('button', { name: 'Run the check' }).click();
      await stepRow(page, 'auth').and(page.locator('[data-status="fail"]')).waitFor();
      await page.getByText('The check failed at step “Authentication”.').waitFor();
      assert.equal(await page.locator('.check__explained .explanation__title').innerText(), 'Username or password rejected');
      await page.mouse.move(0, 0);
      await page.locator('section:has(#setup-step-4)').screenshot({ path: path.join(SCREENSHOTS, 'check-failed-en.png') });

      await page.getByRole('button', { name: 'Français' }).click();
      await page.getByRole('heading', { level: 1, name: 'Adresse d’envoi personnalisée' }).waitFor();
    });

    test('fixes the password, passes the check and activates', async () => {
      await page.getByLabel('Mot de passe').fill(CREDENTIALS.password);
      await page.getByRole('button', { name: 'Enregistrer et vérifier' }).click();
      await page.getByText('Vérification réussie : votre serveur accepte les envois depuis cette adresse.').waitFor();
      assert.equal(await stepRow(page, 'auth').getAttribute('data-status'), 'ok');
      await page.getByText('Prête à être activée').waitFor();

      await page.getByRole('button', { name: 'Activer', exact: true }).click();
      await page.getByText('Adresse d’envoi activée : les prochains e-mails partent de votre serveur.').waitFor();
      const card = page.getByTestId('status-card');
      assert.match(await card.innerText(), /Active depuis le/);
      assert.match(await card.innerText(), /Les e-mails partent de École Les Tilleuls <formation@ecole\.test>\./);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, 'active-fr', false);
    });

    test('a message sent through the API leaves through the relay and shows in the delivery log', async () => {
      const sent = await fetch(`${base}/v1/organizations/${ORG}/messages`, {
        method: 'POST',
        headers: { ...t.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ to: ['learner@example.org'], subject: 'Convocation à la session du 12 mars', text: 'Bonjour', category: 'session-reminder' }),
      });
      assert.equal(sent.status, 202, await sent.text());
      assert.equal(await t.app.relais.dispatcher.runOnce(), 1);
      const [delivered] = await relay.waitForMessages(1);
      assert.equal(delivered?.parsed.from?.text, '"École Les Tilleuls" <formation@ecole.test>');
      assert.equal(delivered?.authUser, CREDENTIALS.username);
      assert.equal(delivered?.secure, true);
      assert.equal(platform.messages.length, 0);

      await page.getByRole('navigation', { name: 'Paramètres' }).getByRole('link', { name: 'Journal des envois' }).click();
      const row = page.locator('tbody tr').first();
      await row.waitFor();
      assert.match(await row.innerText(), /Envoyé/);
      assert.match(await row.innerText(), /Votre serveur/);
      assert.match(await row.innerText(), /session-reminder/);

      await page.getByLabel('Statut').selectOption('failed');
      await page.getByRole('button', { name: 'Filtrer' }).click();
      await page.getByText('Aucun e-mail ne correspond à ces filtres.').waitFor();
      await page.getByRole('button', { name: 'Effacer les filtres' }).click();
      await row.waitFor();

      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { level: 1, name: 'Delivery log' }).waitFor();
      await shot(page, 'delivery-log-en');
      await row.getByRole('link').click();
      await page.getByRole('heading', { level: 1, name: 'Email details' }).waitFor();
      const attempt = page.locator('.attempt').first();
      await attempt.waitFor();
      assert.match(await attempt.innerText(), /Attempt 1/);
      assert.match(await attempt.innerText(), /Your server/);
      assert.match(await attempt.innerText(), /250/);
      await shot(page, 'message-detail-en');
      await page.getByRole('button', { name: 'Français' }).click();
    });

    test('a relay that starts refusing the sender shows as failing, explained, with what to do', async () => {
      // Microsoft's send-as refusal, for every message from now on: a relay-level failure.
      relay.setScript({ mail: () => ({ code: 550, text: '5.7.60 SMTP; Client does not have permissions to send as this sender' }) });
      for (let i = 0; i < 3; i++) {
        const sent = await fetch(`${base}/v1/organizations/${ORG}/messages`, {
          method: 'POST',
          headers: { ...t.auth, 'content-type': 'application/json' },
          body: JSON.stringify({ to: [`learner${i}@example.org`], subject: 'Rappel', text: 'Bonjour' }),
        });
        assert.equal(sent.status, 202);
        await t.app.relais.dispatcher.runOnce();
      }
      const status = await t.app.inject({ method: 'GET', url: `/v1/organizations/${ORG}/smtp-relay/status`, headers: t.auth });
      assert.equal(status.json().status, 'failing', status.body);

      await page.getByRole('navigation', { name: 'Paramètres' }).getByRole('link', { name: 'Adresse d’envoi personnalisée' }).click();
      const card = page.getByTestId('status-card');
      await card.getByText(/En échec depuis le/).waitFor();
      assert.match(await card.innerText(), /En attendant, les e-mails partent de l’adresse de la plateforme/);
      assert.match(await card.locator('.explanation__reply').innerText(), /550 5\.7\.60/);
      assert.ok((await card.locator('.explanation__fix li').count()) >= 1, 'what to do, step by step');
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, 'failing-fr', false);
      relay.setScript({});
    });

    test('deactivates after confirming; Escape cancels the dialog', async () => {
      await page.getByRole('button', { name: 'Désactiver', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Désactiver l’adresse d’envoi ?' });
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      assert.match(await page.getByTestId('status-card').innerText(), /En échec depuis le/);

      await page.getByRole('button', { name: 'Désactiver', exact: true }).click();
      await dialog.getByRole('button', { name: 'Désactiver' }).click();
      await page.getByText('Adresse d’envoi désactivée : les e-mails partent de l’adresse de la plateforme.').waitFor();
      const status = await t.app.inject({ method: 'GET', url: `/v1/organizations/${ORG}/smtp-relay/status`, headers: t.auth });
      assert.equal(status.json().inUse, false);
    });

    test('fits a 375 px phone screen', async () => {
      await page.setViewportSize({ width: 375, height: 812 });
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Adresse d’envoi personnalisée' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'no horizontal scrolling at 375 px');
      await shot(page, 'smtp-mobile-fr', false);
      await page.getByRole('link', { name: 'Journal des envois' }).click();
      await page.locator('tbody tr').first().waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
    });
  });

  test('an admin sees only the read-only status, never the settings', async () => {
    const context = await browser.newContext({ viewport: { width: 1180, height: 760 }, locale: 'fr-FR' });
    try {
      const page = await signIn(context, ADMIN);
      const status = page.getByTestId('readonly-status');
      await status.waitFor();
      assert.match(await status.innerText(), /Seuls les propriétaires de l’organisation peuvent modifier ces réglages\./);
      assert.equal(await page.locator('input').count(), 0, 'no form at all');
      const nav = page.getByRole('navigation', { name: 'Paramètres' });
      assert.equal(await nav.getByRole('link').count(), 1);
      assert.doesNotMatch(await page.content(), new RegExp(`${RELAY_HOST}|${CREDENTIALS.username}`), 'no server or username on the page');
      await shot(page, 'admin-readonly-fr');

      await page.goto(`${base}/settings/organization`);
      await page.getByTestId('owners-only').waitFor();
      await page.goto(`${base}/settings/emails/log`);
      await page.getByTestId('owners-only').waitFor();
      // The API agrees: the admin's session cannot read the settings.
      const settings = await page.request.get(`${base}/v1/organizations/${ORG}/smtp-relay`);
      assert.equal(settings.status(), 403);
    } finally {
      await context.close();
    }
  });

  test('a member of an English-speaking organization arrives through the embedded sign-in, in English', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: 'campus', name: 'Campus North', locale: 'en' } });
    assert.equal(created.statusCode, 201, created.body);
    await addMember(t.app.relais, 'campus', 'member-1', 'member', { email: 'member@campus.test', name: 'Mia Jones' });
    const link = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: 'campus', userId: 'member-1' } });
    assert.equal(link.statusCode, 201, link.body);
    const { pathname, search } = new URL(link.json().url as string);

    // A fresh browser profile: no language chosen yet, so the organization's locale decides.
    const context = await browser.newContext({ viewport: { width: 1180, height: 760 }, locale: 'fr-FR' });
    context.setDefaultTimeout(10_000);
    try {
      const page = await watchedPage(context);
      await page.goto(`${base}${pathname}${search}`);
      await page.getByRole('heading', { level: 1, name: 'Custom sending address' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/settings/emails/smtp');
      assert.match(await page.getByTestId('readonly-status').innerText(), /Emails leave from the platform’s address\./);
      assert.match(await page.locator('.topbar').innerText(), /Campus North/);
    } finally {
      await context.close();
    }
  });

  test('the API reference at /docs renders under its own policy', async () => {
    const context = await browser.newContext({ viewport: { width: 1180, height: 760 } });
    context.setDefaultTimeout(10_000);
    try {
      const page = await watchedPage(context);
      await page.goto(`${base}/docs`);
      await page.locator('.swagger-ui .info .title', { hasText: 'Relais API' }).waitFor();
      // One operation opened, with its schemas and icons drawn.
      await page.locator('.opblock-summary', { hasText: '/v1/sessions' }).first().click();
      await page.locator('.opblock-body').first().waitFor();
    } finally {
      await context.close();
    }
  });

  test('the platform named in RELAIS_FRAME_ANCESTORS may show the settings page in a frame; another site may not', async () => {
    const context = await browser.newContext({ viewport: { width: 1180, height: 760 }, locale: 'fr-FR' });
    context.setDefaultTimeout(10_000);
    try {
      // Not a watched page: the refusal below is the browser enforcing the policy, on purpose.
      const page = await context.newPage();
      const refusals: string[] = [];
      page.on('console', (message) => {
        if (/frame-ancestors/.test(message.text())) refusals.push(message.text());
      });
      const login = encodeURIComponent(`${base}/login`);
      await page.goto(`${platformSite.origin}/?src=${login}`);
      await page.frameLocator('#relais').getByRole('button', { name: 'Se connecter' }).waitFor();
      assert.deepEqual(refusals, []);

      const refused = page.waitForEvent('console', (message) => /frame-ancestors/.test(message.text()));
      await page.goto(`${otherSite.origin}/?src=${login}`);
      assert.match((await refused).text(), new RegExp(`frame-ancestors 'self' ${platformSite.origin.replace(/\./g, '\\.')}`));
      assert.equal(await page.frameLocator('#relais').getByRole('button', { name: 'Se connecter' }).count(), 0, 'nothing of Relais is shown');
    } finally {
      await context.close();
    }
  });

  test('no page threw a script error', () => {
    assert.deepEqual(pageErrors, []);
  });

  test('every page ran under the Content-Security-Policy without a violation', () => {
    assert.ok(cspHeaders.size > 0);
    for (const header of cspHeaders) assert.match(header, /script-src 'self';.*style-src 'self';.*frame-ancestors 'self'/, header);
    assert.deepEqual(cspViolations, []);
  });
});
