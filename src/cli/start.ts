// `relais start` (API + dispatcher + UI) and `relais worker` (dispatcher only): the process.
import { buildApp } from '../api/app.ts';
import type { Config } from '../config.ts';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startDevInbox, type DemoRelay, type DevInbox } from '../dev/capture-server.ts';
import { seedDemo } from '../dev/demo-seed.ts';
import { AppError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { listenOutbox } from '../outbox/wake-channel.ts';
import type { Relais } from '../relais.ts';
import { startSubmission, type SubmissionServer } from '../submission/submission.ts';
import { configOrExit, fail, openMigratedStore } from './runtime.ts';

export async function start(options: { demo: boolean; http: boolean }): Promise<void> {
  let config: Config = configOrExit(options.demo ? { demo: true } : {});
  const logger = createLogger(config.logLevel);
  let devInbox: DevInbox | undefined;
  let demoRelay: DemoRelay | undefined;
  if (config.demo && !config.platformSmtpUrl) {
    devInbox = await startDevInbox({ port: config.devInboxPort });
    // A second local server plays the demo organization's own relay, on a port relays may use.
    demoRelay = await devInbox.startRelay({ username: 'formation@centre-demo.test', password: demoRelayPassword(config.dataDir) }, 2525);
    const ports = config.smtpAllowedPorts.includes(demoRelay.port) ? config.smtpAllowedPorts : [...config.smtpAllowedPorts, demoRelay.port];
    config = Object.freeze({ ...config, platformSmtpUrl: devInbox.url, smtpAllowedPorts: Object.freeze(ports) });
  }
  if (!config.platformSmtpUrl) {
    console.error('relais: RELAIS_PLATFORM_SMTP_URL is required (e.g. smtp://user:pass@smtp.example.com:587), or start with --demo.');
    process.exit(2);
  }
  const store = await openMigratedStore(config, logger);
  const app = await buildApp(config, { store, logger, ...(devInbox ? { devInbox } : {}) });
  // Creates the embed-link signing secret, or seals one an earlier version stored in clear.
  await app.relais.embed.prepare().catch(async (error: unknown) => {
    if (!(error instanceof AppError)) throw error;
    await app.close();
    await store.close();
    fail(`${error.code}: ${error.message}`, 2);
  });
  const lines: string[] = [];
  if (config.bootstrapApiKey) {
    await app.relais.apiKeys.ensure('bootstrap', config.bootstrapApiKey);
    lines.push('Platform API key: the value of RELAIS_BOOTSTRAP_API_KEY');
  }
  if (config.demo) lines.push(...(await seedDemo(app.relais, demoRelay)));

  // Other processes (relais send, API instances on PostgreSQL) wake this dispatcher through NOTIFY.
  const stopListening = await listenOutbox(
    store,
    () => {
      app.relais.dispatcher.wake();
      app.relais.webhookDispatcher.wake();
    },
    logger,
  );
  app.addHook('onClose', stopListening);

  let submission: SubmissionServer | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight sends');
    try {
      await submission?.close();
      await app.close();
      await store.close();
      await devInbox?.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  if (options.http) {
    await app.listen({ port: config.port, host: config.host });
    lines.unshift(`Relais is running on ${config.publicUrl} (${config.database.kind})`, `API documentation: ${config.publicUrl}/docs`);
    lines.push(...connectLines(config));
    if (devInbox) lines.push(`Dev inbox (what the platform sender and the demo relay delivered): ${config.publicUrl}/dev/inbox`);
    submission = await startSubmissionFromConfig(app.relais, config);
    if (submission) lines.push(...submissionLines(config, submission));
  } else {
    await app.ready();
    lines.unshift(`Relais worker ${app.relais.dispatcher.workerId} is delivering (${config.database.kind})`);
  }
  app.relais.dispatcher.start();
  app.relais.webhookDispatcher.start();
  console.log(`\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

/** "Connect with Microsoft / Google": which providers are offered and the redirect URI to register with them. */
export function connectLines(config: Config): string[] {
  const { connect } = config.oauth;
  const offered = [connect.microsoft ? 'Microsoft' : null, connect.google ? 'Google' : null].filter((p) => p !== null);
  return offered.length === 0 ? [] : [`Connect with ${offered.join(' and ')}: redirect URI to register with the provider: ${connect.redirectUri}`];
}

/** The demo relay's password, random once and kept in the data dir (0600) so restarts keep the relay verified. */
function demoRelayPassword(dataDir: string): string {
  const file = path.join(dataDir, 'demo-relay-password');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const password = randomBytes(12).toString('base64url');
    fs.writeFileSync(file, password, { mode: 0o600 });
    return password;
  }
}


/** SMTP submission beside the HTTP API, when RELAIS_SMTP_PORT or RELAIS_SMTPS_PORT is set (always in the demo). */
async function startSubmissionFromConfig(relais: Relais, config: Config): Promise<SubmissionServer | undefined> {
  const { port, tlsPort, tlsCertFile, tlsKeyFile, allowInsecureAuth } = config.smtpSubmission;
  if (port === undefined && tlsPort === undefined) return undefined;
  const tls = tlsCertFile && tlsKeyFile ? { cert: fs.readFileSync(tlsCertFile, 'utf8'), key: fs.readFileSync(tlsKeyFile, 'utf8') } : undefined;
  // The demo takes AUTH in clear (it has no certificate): its submission port stays on loopback.
  const host = config.demo && !tls ? '127.0.0.1' : config.host;
  const options = { host, allowInsecureAuth, ...(tls ? { tls } : {}), ...(tlsPort !== undefined ? { tlsPort } : {}) };
  try {
    return await startSubmission(relais, { ...options, ...(port !== undefined ? { port } : {}) });
  } catch (error) {
    // The demo's documented port may be taken (another demo): it takes a free one instead.
    if (config.smtpSubmission.demoDefaultPort && (error as { code?: string }).code === 'EADDRINUSE') {
      return startSubmission(relais, { ...options, port: 0 });
    }
    throw error;
  }
}

function submissionLines(config: Config, submission: SubmissionServer): string[] {
  const host = new URL(config.publicUrl).hostname;
  const lines: string[] = [];
  if (submission.port !== undefined) {
    const security = config.smtpSubmission.tlsCertFile ? 'STARTTLS' : 'no TLS: AUTH in clear, keep it on loopback';
    lines.push(`SMTP submission: ${host}:${submission.port} (${security}); username: an organization id or "platform", password: a platform API key`);
  }
  if (submission.tlsPort !== undefined) lines.push(`SMTP submission (implicit TLS): ${host}:${submission.tlsPort}`);
  return lines;
}
