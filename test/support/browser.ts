// Browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser),
// required in CI and skipped with the reason elsewhere; the UI built when its sources changed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The reason the browser tests cannot run here, or false; in CI a missing Chromium fails the suite. */
export function chromiumMissing(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  const reason = `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`${reason}; the browser tests are required in CI`);
  return reason;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds web/dist when it is missing or older than the sources (npm test builds it first anyway). */
export function ensureWebBuilt(): void {
  const index = path.join(ROOT, 'web/dist/index.html');
  const sources = Math.max(newestMtime(path.join(ROOT, 'web/src')), fs.statSync(path.join(ROOT, 'web/index.html')).mtimeMs);
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return;
  const built = spawnSync('npm', ['run', 'build:web', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  assert.equal(built.status, 0, 'npm run build:web failed');
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background network). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/** What a watched page reported: script errors, and anything blocked under the Content-Security-Policy. */
export interface PageReports {
  pageErrors: string[];
  cspViolations: string[];
}

/**
 * Records the page's script errors and CSP violations into `reports`: violations are reported
 * by the page itself (a listener the browser adds, not subject to the CSP), whatever the console
 * says. The browser's own lines about 4xx answers (no session yet, no relay yet) are expected.
 */
export async function watchPage(page: Page, reports: PageReports): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`securitypolicyviolation: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} in ${event.documentURI}`);
    });
  });
  page.on('pageerror', (error) => reports.pageErrors.push(error.stack ?? error.message));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|securitypolicyviolation/i.test(text)) reports.cspViolations.push(text);
    else if (message.type() === 'error' && !text.startsWith('Failed to load resource')) reports.pageErrors.push(text);
  });
}
