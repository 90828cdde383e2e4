// `relais check-smtp --auth oauth2-microsoft|oauth2-google` as an operator runs it: a real
// process, the client secret on standard input, the key from a file, tokens from the local
// token server configured with RELAIS_OAUTH_*; an XOAUTH2 fixture on 127.0.0.1 (random port).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FlightCheckReport } from '../smtp/flight-check.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { newServiceAccount, serviceAccountKeyFile, startTokenServer, type TokenServer } from '../../test/support/token-server.ts';
import { systemClock } from '../clock.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/relais.mjs');
const TEST_CA_FILE = path.resolve(import.meta.dirname, '../../test/support/certs/ca.pem');
const USER = 'formation@ecole-exemple.fr';
const APP = { tenantId: 'ecole-exemple.onmicrosoft.com', clientId: '00001111-aaaa-2222-bbbb-3333cccc4444', clientSecret: 'cli~Secret.VALUE-77', mailboxes: [USER] };
const GOOGLE = newServiceAccount({ users: [USER] });

let tokens: TokenServer;
let relay: SmtpFixture;
let keyFile: string;

before(async () => {
  tokens = await startTokenServer({ clock: systemClock, microsoft: [APP], google: [GOOGLE] });
  relay = await startSmtpFixture({ host: '127.0.0.1', port: 0, security: 'starttls-required', xoauth2: (user, token) => tokens.verifyXOAuth2(user, token) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-key-'));
  keyFile = path.join(dir, 'service-account.json');
  fs.writeFileSync(keyFile, serviceAccountKeyFile(GOOGLE), { mode: 0o600 });
});
after(async () => {
  await Promise.all([tokens.close(), relay.close()]);
  fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
});

async function checkSmtp(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'check-smtp', '--host', '127.0.0.1', '--port', String(relay.port), '--security', 'starttls', '--from', USER, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
      RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
      RELAIS_SMTP_ALLOWED_PORTS: String(relay.port),
      RELAIS_OAUTH_MICROSOFT_AUTHORITY: tokens.microsoftAuthority,
      RELAIS_OAUTH_GOOGLE_TOKEN_URL: tokens.googleTokenUrl,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { code, stdout, stderr };
}

const microsoft = ['--auth', 'oauth2-microsoft', '--tenant', APP.tenantId, '--client-id', APP.clientId, '--user', USER, '--client-secret-stdin'];

describe('relais check-smtp with app sign-in (XOAUTH2)', () => {
  test('Microsoft: the secret from standard input, the auth step shows the token’s provider and lifetime, never the secret', async () => {
    const run = await checkSmtp([...microsoft, '--lang', 'fr'], `${APP.clientSecret}\n`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /XOAUTH2.*jeton d’accès de Microsoft/);
    assert.ok(!run.stdout.includes(APP.clientSecret) && !run.stderr.includes(APP.clientSecret));
  });

  test('Microsoft: a wrong secret fails at the auth step with its explanation (--json)', async () => {
    const run = await checkSmtp([...microsoft, '--json'], 'the-secret-id-not-its-value\n');
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as FlightCheckReport;
    const failed = report.steps.find((s) => s.status === 'fail');
    assert.equal(failed?.id, 'auth');
    assert.equal(failed?.explanation?.id, 'oauth-client-secret-invalid');
  });

  test('Google: the key file, XOAUTH2 as the user', async () => {
    const run = await checkSmtp(['--auth', 'oauth2-google', '--service-account-key', keyFile, '--user', USER, '--json']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as FlightCheckReport;
    assert.equal(report.steps.find((s) => s.id === 'auth')?.data?.token?.provider, 'google');
    assert.ok(!run.stdout.includes(GOOGLE.privateKeyPem.split('\n')[3] ?? '@@'));
  });

  test('usage errors: missing tenant, secret on the command line refused', async () => {
    const missing = await checkSmtp(['--auth', 'oauth2-microsoft', '--client-id', APP.clientId, '--user', USER, '--client-secret-stdin'], 'x\n');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--tenant/);
    const noStdin = await checkSmtp(['--auth', 'oauth2-microsoft', '--tenant', APP.tenantId, '--client-id', APP.clientId, '--user', USER]);
    assert.equal(noStdin.code, 2);
    assert.match(noStdin.stderr, /--client-secret-stdin/);
  });
});
