// A real MTA for integration tests: a private Postfix instance offering SMTP submission on
// <host>:587 with STARTTLS required and SASL authentication through a private Dovecot,
// relaying every accepted message to a capture server the test runs. It answers exactly as
// a production Postfix does (535 5.7.8, 530 5.7.0, 553 5.7.1 "not owned by user"), which is
// what Relais's reply classification and flight check must be checked against.
//
// Each instance owns a temporary directory (configuration, queue, Dovecot sockets, logs)
// and one loopback address, so several run side by side. Needs root (Postfix's master
// binds port 587 and drops privileges to the `postfix` user) and Debian's postfix and
// dovecot-core packages: .ci/install-mta.sh installs them.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type InstanceLayout,
  type InstanceSettings,
  type SaslUser,
  renderDovecotConf,
  renderMainCf,
  renderMasterCf,
  renderSenderLogins,
  renderUsersFile,
} from './postfix/config.ts';
import { findBinary, logTail, waitForPort, waitUntil } from './postfix/process.ts';
import { TEST_CA } from './tls.ts';

const run = promisify(execFile);

export interface PostfixFixture {
  /** Dedicated loopback address the submission service listens on. */
  host: string;
  /** Submission port (587, STARTTLS required). */
  port: number;
  /** SASL login of the one user (a Dovecot passwd-file entry). */
  username: string;
  password: string;
  /** An envelope sender this user may submit as; any other is refused with 553 5.7.1. */
  ownedSender: string;
  /** CA certificate to trust for the server certificate. */
  caPem: string;
  /** Host name on the server certificate (pass as TLS servername). */
  serverName: string;
  /** Postfix's log file, for diagnosing a failing test. */
  logFile: string;
  stop(): Promise<void>;
}

export interface StartPostfixOptions {
  /** Loopback address to listen on; one per concurrent instance. Default 127.0.0.9. */
  host?: string;
  /** Where every accepted message is relayed to (plain SMTP, e.g. a capture smtp-server). */
  deliverTo: { host: string; port: number };
}

const SUBMISSION_PORT = 587;
const STARTUP_TIMEOUT_MS = 15_000;
const DEFAULT_HOST = '127.0.0.9';
/** The SASL login, which owns the envelope sender of the same name. */
const OWNER = 'owner@school.test';

// The repository's `relay` test certificate (issued by TEST_CA for relay.test and
// 127.0.0.1-30), so clients trust Postfix exactly as they trust the other SMTP fixtures.
const SERVER_NAME = 'relay.test';
const CERT_FILE = fileURLToPath(new URL('./certs/relay.pem', import.meta.url));
const KEY_FILE = fileURLToPath(new URL('./certs/relay-key.pem', import.meta.url));

/** Why a private Postfix cannot run here, or undefined when it can. */
export function postfixUnavailableReason(): string | undefined {
  const missing = ['postfix', 'dovecot'].filter((name) => findBinary(name) === undefined);
  if (missing.length > 0) return `not installed: ${missing.join(', ')} (run .ci/install-mta.sh as root)`;
  if (process.getuid?.() !== 0) return 'a private Postfix must be started as root';
  return undefined;
}

/** Postfix and Dovecot are installed and this process may start them. */
export function postfixAvailable(): boolean {
  return postfixUnavailableReason() === undefined;
}

function layoutUnder(root: string): InstanceLayout {
  const dovecotBaseDir = path.join(root, 'dovecot');
  return {
    configDir: path.join(root, 'etc'),
    queueDir: path.join(root, 'queue'),
    dataDir: path.join(root, 'data'),
    dovecotBaseDir,
    dovecotStateDir: path.join(root, 'dovecot-state'),
    dovecotConfig: path.join(root, 'etc', 'dovecot.conf'),
    usersFile: path.join(root, 'etc', 'users'),
    senderLoginsFile: path.join(root, 'etc', 'sender-logins'),
    authSocket: path.join(dovecotBaseDir, 'postfix-auth'),
    certFile: CERT_FILE,
    keyFile: KEY_FILE,
    postfixLog: path.join(root, 'log', 'postfix.log'),
    dovecotLog: path.join(root, 'log', 'dovecot.log'),
    logPrefix: path.join(root, 'log'),
  };
}

interface RunningInstance {
  root: string;
  configDir: string;
  postfixBin: string;
  dovecot?: ChildProcess;
  postfixStarted: boolean;
}

// Instances still running when the test process exits (a test that forgot stop(), or a
// crash) are stopped synchronously, so no orphan daemon keeps the loopback address.
const running = new Set<RunningInstance>();
process.once('exit', () => {
  for (const instance of running) stopSync(instance);
});

function stopSync(instance: RunningInstance): void {
  if (instance.postfixStarted) {
    try {
      execFileSync(instance.postfixBin, ['-c', instance.configDir, 'stop'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // Already stopped or never fully started; the directory is removed regardless.
    }
  }
  instance.dovecot?.kill('SIGTERM');
  rmSync(instance.root, { recursive: true, force: true });
  running.delete(instance);
}

async function stopInstance(instance: RunningInstance): Promise<void> {
  if (!running.has(instance)) return;
  running.delete(instance);
  // Both daemons take about a second to wind down; stop them side by side.
  await Promise.all([stopPostfixMaster(instance), stopDovecot(instance.dovecot)]);
  rmSync(instance.root, { recursive: true, force: true });
}

async function stopPostfixMaster(instance: RunningInstance): Promise<void> {
  if (!instance.postfixStarted) return;
  await run(instance.postfixBin, ['-c', instance.configDir, 'stop'], { timeout: 10_000 }).catch(() => undefined);
}

// Dovecot's master takes a moment to reap its helpers; its sockets live in the directory
// removed afterwards, so wait (bounded) for it to exit.
async function stopDovecot(dovecot: ChildProcess | undefined): Promise<void> {
  if (!dovecot || dovecot.exitCode !== null || dovecot.signalCode !== null) return;
  dovecot.ref();
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    dovecot.once('exit', () => resolve());
    timer = setTimeout(() => {
      dovecot.kill('SIGKILL');
      resolve();
    }, 5_000);
    dovecot.kill('SIGTERM');
  });
  clearTimeout(timer);
}

async function writeConfigFiles(layout: InstanceLayout, settings: InstanceSettings, user: SaslUser): Promise<void> {
  const files: Array<[string, string]> = [
    [path.join(layout.configDir, 'main.cf'), renderMainCf(layout, settings)],
    [path.join(layout.configDir, 'master.cf'), renderMasterCf(layout, settings)],
    [layout.dovecotConfig, renderDovecotConf(layout)],
    [layout.usersFile, renderUsersFile([user])],
    [layout.senderLoginsFile, renderSenderLogins([user])],
  ];
  // Postfix waits, up to ~2 s, while main.cf looks freshly edited; back-date the files.
  const past = new Date(Date.now() - 60_000);
  for (const [file, text] of files) {
    await writeFile(file, text, { mode: 0o644 });
    await utimes(file, past, past);
  }
}

async function startDovecot(layout: InstanceLayout, instance: RunningInstance): Promise<void> {
  const dovecotBin = findBinary('dovecot');
  if (!dovecotBin) throw new Error('dovecot is not installed');
  // -F keeps Dovecot's master in the foreground, so this process owns its lifetime; its
  // stderr (configuration errors come there, before log_path is open) goes to a file.
  const stderrFile = path.join(layout.logPrefix, 'dovecot.stderr');
  const stderrFd = openSync(stderrFile, 'a');
  const child = spawn(dovecotBin, ['-F', '-c', layout.dovecotConfig], { stdio: ['ignore', 'ignore', stderrFd] });
  closeSync(stderrFd);
  instance.dovecot = child;
  // Unreferenced so that a test process that forgot stop() still exits (see the exit hook).
  child.unref();
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const socketReady = () => stat(layout.authSocket).then((entry) => entry.isSocket(), () => false);
  const ready = await waitUntil(async () => exited() || (await socketReady()), STARTUP_TIMEOUT_MS);
  if (!ready || exited()) {
    throw new Error(
      `private Dovecot did not come up (auth socket ${layout.authSocket})\n${await logTail(stderrFile)}\n` +
        `--- dovecot log ---\n${await logTail(layout.dovecotLog)}`,
    );
  }
}

// Errors found while reading main.cf come before the switch to maillog_file, and Postfix
// prints them on stderr only when it is a terminal (otherwise they go to syslog, often
// absent in CI): run `postfix check` under a pseudo-terminal to show them.
async function postfixCheck(instance: RunningInstance): Promise<string> {
  const command = `${instance.postfixBin} -c ${instance.configDir} check`;
  const result = await run('script', ['-qec', command, '/dev/null'], { timeout: 10_000 }).catch(
    (error: { stdout?: string; message: string }) => ({ stdout: error.stdout || error.message }),
  );
  return result.stdout.trim() || '(no complaint)';
}

async function startPostfixMaster(layout: InstanceLayout, settings: InstanceSettings, instance: RunningInstance) {
  try {
    // `postfix start` creates the queue directories (post-install create-missing) and waits
    // for the master's initialization status before returning.
    await run(instance.postfixBin, ['-c', layout.configDir, 'start'], { timeout: STARTUP_TIMEOUT_MS });
    instance.postfixStarted = true;
  } catch (error) {
    instance.postfixStarted = true; // a half-started master must still be stopped
    const output = error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
    throw new Error(
      `postfix start failed: ${output}\n--- postfix log ---\n${await logTail(layout.postfixLog)}\n` +
        `--- postfix check ---\n${await postfixCheck(instance)}`,
    );
  }
  if (!(await waitForPort(settings.host, settings.port, STARTUP_TIMEOUT_MS))) {
    throw new Error(
      `Postfix submission did not listen on ${settings.host}:${settings.port}\n--- postfix log ---\n${await logTail(layout.postfixLog)}`,
    );
  }
}

export async function startPostfix(options: StartPostfixOptions): Promise<PostfixFixture> {
  const reason = postfixUnavailableReason();
  if (reason) throw new Error(`cannot start a private Postfix: ${reason}`);
  const postfixBin = findBinary('postfix') as string;
  const host = options.host ?? DEFAULT_HOST;

  // The unprivileged `postfix` and `dovecot` users must reach the queue, sockets and maps
  // inside, so the directory (and the temporary directory above it) must be traversable.
  const root = await mkdtemp(path.join(os.tmpdir(), 'relais-postfix-'));
  await chmod(root, 0o755);
  const instance: RunningInstance = { root, configDir: path.join(root, 'etc'), postfixBin, postfixStarted: false };
  running.add(instance);
  try {
    const layout = layoutUnder(root);
    for (const dir of [layout.configDir, layout.queueDir, layout.dovecotBaseDir, layout.dovecotStateDir, layout.logPrefix]) {
      await mkdir(dir, { mode: 0o755 });
    }
    const settings: InstanceSettings = { host, port: SUBMISSION_PORT, serverName: SERVER_NAME, deliverTo: options.deliverTo };
    const user: SaslUser = { username: OWNER, password: randomBytes(12).toString('hex'), owns: [OWNER] };
    await writeConfigFiles(layout, settings, user);
    await startDovecot(layout, instance);
    await startPostfixMaster(layout, settings, instance);

    return {
      host,
      port: SUBMISSION_PORT,
      username: user.username,
      password: user.password,
      ownedSender: OWNER,
      caPem: TEST_CA,
      serverName: SERVER_NAME,
      logFile: layout.postfixLog,
      stop: () => stopInstance(instance),
    };
  } catch (error) {
    await stopInstance(instance);
    throw error;
  }
}
