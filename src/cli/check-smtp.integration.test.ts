// `relais check-smtp` as a user runs it: a real process, the password on standard input,
// exit codes, human output in French and English, and --json.
// Loopback plan: 127.0.0.26–28 for fixtures, 127.0.0.30 for Postfix (the engine's tests use 21–25 and 29).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { explainStep } from '../smtp/flight-check.ts';
import type { FlightCheckReport, SecurityDetection, StepExplanationId as ExplanationId, StepId } from '../smtp/flight-check.ts';
import { postfixSuiteSkip, usePostfixRelay } from '../../test/support/postfix-suite.ts';
import { startSmtpFixture } from '../../test/support/smtp-fixture.ts';
import type { FixtureOptions, SmtpFixture } from '../../test/support/smtp-fixture.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/relais.mjs');
/** Node adds this authority to its trusted ones, as an operator would for a private CA. */
const TEST_CA_FILE = path.resolve(import.meta.dirname, '../../test/support/certs/ca.pem');
const USER = 'formation@ecole-exemple.fr';
const PASSWORD = 'Pa55-word-for-the-cli';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function checkSmtp(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'check-smtp', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
      RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { code, stdout, stderr };
}

function settings(fixture: { host: string; port: number }, security = 'starttls'): string[] {
  return ['--host', fixture.host, '--port', String(fixture.port), '--security', security, '--user', USER, '--password-stdin', '--from', USER];
}

function assertNoPassword(run: Run, password = PASSWORD): void {
  for (const text of [run.stdout, run.stderr]) {
    assert.ok(!text.includes(password), 'the password is never printed');
    assert.ok(!text.includes(Buffer.from(`\u0000${USER}\u0000${password}`).toString('base64')));
  }
}

/** The human output names the failing step and the explanation, with numbered fix steps. */
function assertHumanFailure(run: Run, locale: 'fr' | 'en', stepLabel: string, explanation: ExplanationId): void {
  const entry = explainStep(explanation, { locale });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`^  ✗ ${stepLabel.replace(/[()]/g, '\\$&')} `, 'm'));
  assert.ok(run.stdout.includes(`✗ ${entry.title}`), run.stdout);
  assert.ok(run.stdout.includes(entry.cause));
  for (const [index, fix] of entry.fix.entries()) assert.ok(run.stdout.includes(`    ${index + 1}. ${fix}`), `fix step ${index + 1}`);
}

function assertJsonFailure(run: Run, step: StepId, explanation: ExplanationId): FlightCheckReport {
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as FlightCheckReport;
  const failed = report.steps.find((s) => s.status === 'fail');
  assert.equal(failed?.id, step, run.stdout);
  assert.equal(failed?.explanation?.id, explanation);
  return report;
}

async function withFixture(options: FixtureOptions, run: (fixture: SmtpFixture) => Promise<void>): Promise<void> {
  const fixture = await startSmtpFixture({ auth: { username: USER, password: PASSWORD }, ...options });
  try {
    await run(fixture);
  } finally {
    await fixture.close();
  }
}

describe('relais check-smtp', () => {
  test('every step passes and the test email arrives; exit 0', async () => {
    await withFixture({ host: '127.0.0.26', port: 587 }, async (fixture) => {
      const run = await checkSmtp([...settings(fixture), '--to', 'direction@ecole-exemple.fr', '--send-test'], { stdin: `${PASSWORD}\n` });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const lines = run.stdout.split('\n');
      assert.equal(lines[0], 'Relais flight check: 127.0.0.26, port 587, STARTTLS');
      assert.equal(lines.filter((line) => line.startsWith('  ✓ ')).length, 9, run.stdout);
      assert.match(run.stdout, /^ {2}✓ Authentication +\d+ ms {2}Signed in as formation@ecole-exemple\.fr \(PLAIN\)\.$/m);
      assert.match(run.stdout, /^Result: passed\.$/m);
      const [message] = await fixture.waitForMessages(1);
      assert.equal(message?.parsed.subject, 'Relais : e-mail de test / test email');
      assert.deepEqual(message?.envelope.to, ['direction@ecole-exemple.fr']);
      assertNoPassword(run);
    });
  });

  test('a wrong password, in French: the failing step, its explanation and numbered fixes; exit 1', async () => {
    const script = { auth: () => ({ code: 535, text: '5.7.8 Username and Password not accepted.' }) };
    await withFixture({ host: '127.0.0.26', port: 587, script }, async (fixture) => {
      const run = await checkSmtp([...settings(fixture), '--lang', 'fr'], { stdin: `${PASSWORD}\n` });
      assertHumanFailure(run, 'fr', 'Authentification', 'auth-failed');
      assert.ok(run.stdout.includes('Réponse du serveur : 535 5.7.8 Username and Password not accepted.'));
      assert.match(run.stdout, /^ {2}– Expéditeur +Non vérifié : une étape précédente a échoué\.$/m);
      assert.match(run.stdout, /^Résultat : échec à l’étape « Authentification »\.$/m);
      assertNoPassword(run);
    });
  });

  test('--json prints the report (never the password); Microsoft SMTP AUTH disabled', async () => {
    const reply = { code: 535, text: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' };
    await withFixture({ host: '127.0.0.26', port: 587, script: { auth: () => reply } }, async (fixture) => {
      const run = await checkSmtp([...settings(fixture), '--preset', 'microsoft-365', '--json'], { stdin: PASSWORD });
      const report = assertJsonFailure(run, 'auth', 'microsoft-smtp-auth-disabled');
      assert.equal(report.passed, false);
      assert.equal(report.settings.username, USER);
      assert.equal(report.locale, 'en');
      assert.equal(report.steps.length, 9);
      assert.equal(report.steps.find((s) => s.id === 'tls')?.data?.certificate?.issuer, 'Relais Test CA');
      assertNoPassword(run);
    });
  });

  test('a sender the account may not use, in both languages', async () => {
    const script = { mail: () => ({ code: 550, text: '5.7.60 SMTP; Client does not have permissions to send as this sender' }) };
    await withFixture({ host: '127.0.0.26', port: 587, script }, async (fixture) => {
      assertHumanFailure(await checkSmtp([...settings(fixture), '--lang', 'fr'], { stdin: PASSWORD }), 'fr', 'Expéditeur', 'send-as-denied');
      assertHumanFailure(await checkSmtp(settings(fixture), { stdin: PASSWORD }), 'en', 'Sender', 'send-as-denied');
    });
  });

  test('usage errors exit 2: a password on the command line, missing or bad options, no password on stdin', async () => {
    const fixture = { host: '127.0.0.26', port: 587 };
    const onArgv = await checkSmtp([...settings(fixture).filter((a) => a !== '--password-stdin'), '--password', PASSWORD]);
    assert.equal(onArgv.code, 2);
    assert.match(onArgv.stderr, /unknown option '--password'/);
    assert.equal((await checkSmtp(['--host', '127.0.0.26', '--port', '587', '--security', 'starttls'])).code, 2);
    const userWithoutStdin = await checkSmtp(['--host', '127.0.0.26', '--port', '587', '--security', 'starttls', '--from', USER, '--user', USER]);
    assert.equal(userWithoutStdin.code, 2);
    assert.match(userWithoutStdin.stderr, /--user needs --password-stdin/);
    assert.equal((await checkSmtp([...settings(fixture), '--lang', 'de'], { stdin: PASSWORD })).code, 2);
    assert.equal((await checkSmtp(['--host', '127.0.0.26', '--port', 'smtp', '--security', 'tls', '--from', USER])).code, 2);
    const empty = await checkSmtp(settings(fixture), { stdin: '' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no password on standard input/);
    assert.equal((await checkSmtp(['--host', '127.0.0.26', '--port', '587', '--security', 'none', '--from', 'not an address'])).code, 2);
  });

  test('the address guard follows the configuration: private hosts and other ports are refused without connecting', async () => {
    await withFixture({ host: '127.0.0.26', port: 587 }, async (fixture) => {
      const strict = await checkSmtp(settings(fixture), { stdin: PASSWORD, env: { RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'false' } });
      assertHumanFailure(strict, 'en', 'DNS and address', 'address-not-allowed');
      const port = await checkSmtp([...settings(fixture), '--json'], { stdin: PASSWORD, env: { RELAIS_SMTP_ALLOWED_PORTS: '465' } });
      assertJsonFailure(port, 'dns', 'port-not-allowed');
      assert.equal(fixture.connections, 0);
      const badConfig = await checkSmtp(settings(fixture), { stdin: PASSWORD, env: { RELAIS_SMTP_ALLOWED_PORTS: 'many' } });
      assert.equal(badConfig.code, 2);
    });
  });

  test('--detect reports what each usual port offers and recommends a setting', async () => {
    const implicit = await startSmtpFixture({ host: '127.0.0.27', port: 465, security: 'tls', auth: { username: USER, password: PASSWORD } });
    const submission = await startSmtpFixture({ host: '127.0.0.27', port: 587, security: 'starttls', auth: { username: USER, password: PASSWORD } });
    try {
      const json = await checkSmtp(['--host', '127.0.0.27', '--detect', '--json']);
      assert.equal(json.code, 0, json.stderr);
      const detection = JSON.parse(json.stdout) as SecurityDetection;
      assert.deepEqual(detection.recommended, { port: 465, security: 'tls' });
      assert.deepEqual(
        detection.ports.map((p) => [p.port, p.recommendation]),
        [
          [465, 'tls'],
          [587, 'starttls'],
          [2525, null],
          [25, null],
        ],
      );
      const human = await checkSmtp(['--host', '127.0.0.27', '--detect', '--lang', 'fr']);
      assert.equal(human.code, 0);
      assert.match(human.stdout, /^ {2}✓ {3}465 {2}TLS implicite, AUTH PLAIN LOGIN$/m);
      assert.match(human.stdout, /^ {2}✓ {3}587 {2}STARTTLS, AUTH PLAIN LOGIN$/m);
      assert.match(human.stdout, /^ {2}✗ {2}2525 {2}injoignable \(Connexion refusée\)$/m);
      assert.match(human.stdout, /^Recommandé : port 465 avec TLS\.$/m);
    } finally {
      await implicit.close();
      await submission.close();
    }
  });
});

describe('relais check-smtp against a real Postfix submission server', () => {
  const skip = postfixSuiteSkip();
  const mta = usePostfixRelay({ host: '127.0.0.30', captureHost: '127.0.0.30' });

  const args = (extra: { security?: string; from?: string } = {}): string[] => [
    '--host', mta.postfix.host,
    '--port', String(mta.postfix.port),
    '--security', extra.security ?? 'starttls',
    '--user', mta.postfix.username,
    '--password-stdin',
    '--from', extra.from ?? mta.postfix.ownedSender,
  ];

  test('wrong password: fr and en', { skip }, async () => {
    assertHumanFailure(await checkSmtp([...args(), '--lang', 'fr'], { stdin: 'wrong' }), 'fr', 'Authentification', 'auth-failed');
    const report = assertJsonFailure(await checkSmtp([...args(), '--json'], { stdin: 'wrong' }), 'auth', 'auth-failed');
    assert.match(report.steps.find((s) => s.id === 'auth')?.explanation?.reply ?? '', /^535 5\.7\.8 /);
  });

  test('sender not owned by the user: fr and en', { skip }, async () => {
    const from = 'direction@school.test';
    assertHumanFailure(await checkSmtp([...args({ from }), '--lang', 'fr'], { stdin: mta.postfix.password }), 'fr', 'Expéditeur', 'send-as-denied');
    const en = await checkSmtp([...args({ from }), '--json'], { stdin: mta.postfix.password });
    assertJsonFailure(en, 'sender', 'send-as-denied');
    assertNoPassword(en, mta.postfix.password);
  });

  test('AUTH before STARTTLS: fr and en', { skip }, async () => {
    const fr = await checkSmtp([...args({ security: 'none' }), '--lang', 'fr'], { stdin: mta.postfix.password });
    assertHumanFailure(fr, 'fr', 'Authentification', 'starttls-required');
    assert.ok(fr.stdout.includes('Réponse du serveur : 530 5.7.0 Must issue a STARTTLS command first'));
    assertJsonFailure(await checkSmtp([...args({ security: 'none' }), '--json'], { stdin: mta.postfix.password }), 'auth', 'starttls-required');
  });

  test('implicit TLS on the submission port: fr and en', { skip }, async () => {
    assertHumanFailure(await checkSmtp([...args({ security: 'tls' }), '--lang', 'fr'], { stdin: mta.postfix.password }), 'fr', 'Chiffrement (TLS)', 'tls-mode-mismatch');
    assertHumanFailure(await checkSmtp(args({ security: 'tls' }), { stdin: mta.postfix.password }), 'en', 'Encryption (TLS)', 'tls-mode-mismatch');
  });

  test('the owned sender passes, and the test email is relayed by Postfix', { skip }, async () => {
    const run = await checkSmtp([...args(), '--to', 'parent@famille.test', '--send-test'], { stdin: mta.postfix.password });
    assert.equal(run.code, 0, run.stdout);
    const [message] = await mta.capture.waitForMessages(1, 15_000);
    assert.deepEqual(message?.envelope.to, ['parent@famille.test']);
  });
});
