/**
 * `relais check-smtp`: the flight check from a terminal, through the same engine (and the
 * same address guard, from the configuration) as the API and delivery.
 *
 * The password is read from standard input only (`--password-stdin`), never from the
 * command line, where other users of the machine and shell history would see it.
 * Exit codes: 0 no step failed, 1 a step failed, 2 usage or configuration error.
 */
import { Command, Option } from 'commander';
import type { CommanderError } from 'commander';
import { AppError } from '../errors.ts';
import { PRESET_IDS, type Locale, type PresetId } from '../glossary.ts';
import { detectSecurity, passed, runFlightCheck } from '../smtp/flight-check.ts';
import type { FlightCheckInput, Security } from '../smtp/flight-check.ts';
import { formatConclusion, formatDetection, formatHeading, formatStep } from './check-smtp-format.ts';
import { configOrExit } from './runtime.ts';
import { AUTH_TYPES, cliOAuthAuthenticator, type OAuthCliOptions } from './check-smtp-oauth.ts';
import type { Config } from '../config.ts';

interface CheckSmtpOptions extends OAuthCliOptions {
  host?: string;
  port?: string;
  security?: Security;
  user?: string;
  passwordStdin?: boolean;
  from?: string;
  to?: string;
  sendTest?: boolean;
  preset?: PresetId;
  allowSelfSigned?: boolean;
  json?: boolean;
  lang: Locale;
  detect?: boolean;
}

const USAGE_ERROR = 2;

class UsageError extends Error {}

function usage(message: string): never {
  throw new UsageError(message);
}

/** The password: all of standard input without its final line break, or typed without echo at a terminal. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) return readHidden();
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function readHidden(): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write('Password: ');
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new UsageError('cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}

function parsePort(value: string | undefined): number {
  if (value === undefined) usage('--port is required (587 with STARTTLS, or 465 with TLS, usually).');
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port < 1 || port > 65535) usage(`--port must be a port number, not "${value}".`);
  return port;
}

async function checkInput(opts: CheckSmtpOptions, config: Config): Promise<FlightCheckInput> {
  const host = opts.host as string;
  const port = parsePort(opts.port);
  if (!opts.security) usage('--security is required: tls, starttls or none.');
  if (!opts.from) usage('--from is required: the sender address to check.');
  if (opts.auth && opts.auth !== 'password') {
    if (opts.passwordStdin) usage(`--auth ${opts.auth} signs in with an application: no --password-stdin.`);
    const authenticator = await cliOAuthAuthenticator(opts, config, readPassword, usage);
    return { host, port, security: opts.security, fromEmail: opts.from, locale: opts.lang, authenticator, ...optional(opts) };
  }
  if (opts.passwordStdin && !opts.user) usage('--password-stdin needs --user.');
  if (opts.user && !opts.passwordStdin) usage('--user needs --password-stdin: the password is read from standard input, never from the command line.');
  const input: FlightCheckInput = { host, port, security: opts.security, fromEmail: opts.from, locale: opts.lang };
  if (opts.user) {
    const password = await readPassword();
    if (password === '') usage('no password on standard input.');
    input.username = opts.user;
    input.password = password;
  }
  return { ...input, ...optional(opts) };
}

function optional(opts: CheckSmtpOptions): Partial<FlightCheckInput> {
  return {
    ...(opts.to ? { toEmail: opts.to } : {}),
    ...(opts.sendTest ? { sendTestEmail: true } : {}),
    ...(opts.preset ? { preset: opts.preset } : {}),
    ...(opts.allowSelfSigned ? { allowSelfSigned: true } : {}),
  };
}

async function checkSmtp(opts: CheckSmtpOptions): Promise<void> {
  if (!opts.host) usage('--host is required.');
  const config = configOrExit();
  const guard = { allowedPorts: config.smtpAllowedPorts, allowPrivate: config.allowPrivateSmtpHosts };

  if (opts.detect) {
    const detection = await detectSecurity(opts.host, { guard });
    console.log(opts.json ? JSON.stringify(detection, null, 2) : formatDetection(detection, opts.lang));
    process.exitCode = detection.recommended ? 0 : 1;
    return;
  }

  const input = await checkInput(opts, config);
  const live = !opts.json;
  if (live) console.log(formatHeading({ settings: { ...input, toEmail: input.toEmail ?? input.fromEmail, allowSelfSigned: false } }, opts.lang));
  const report = await runFlightCheck(input, {
    guard,
    ...(live ? { onStep: (step) => console.log(formatStep(step, opts.lang)) } : {}),
  });
  console.log(opts.json ? JSON.stringify(report, null, 2) : formatConclusion(report, opts.lang));
  process.exitCode = passed(report) ? 0 : 1;
}

export function checkSmtpCommand(): Command {
  return new Command('check-smtp')
    .description('Flight check of an SMTP relay: DNS, connection, TLS, EHLO, authentication, sender, recipient and an optional test email, each explained.')
    .option('--host <host>', 'SMTP server, e.g. smtp.office365.com')
    .option('--port <port>', 'port: 587 (STARTTLS) or 465 (TLS) usually')
    .addOption(new Option('--security <mode>', 'tls (implicit, port 465), starttls (587, 25, 2525) or none').choices(['tls', 'starttls', 'none']))
    .option('--user <username>', 'user name to sign in with (the password is read from standard input)')
    .option('--password-stdin', 'read the password from standard input')
    .addOption(new Option('--auth <method>', 'how to sign in: password (default), oauth2-microsoft or oauth2-google (app sign-in with XOAUTH2)').choices([...AUTH_TYPES]))
    .option('--tenant <id>', 'oauth2-microsoft: the directory (tenant) ID')
    .option('--client-id <id>', 'oauth2-microsoft: the application (client) ID')
    .option('--client-secret-stdin', 'oauth2-microsoft: read the client secret (its value) from standard input')
    .option('--service-account-key <file>', 'oauth2-google: the service account JSON key file')
    .option('--from <address>', 'sender address to check (MAIL FROM)')
    .option('--to <address>', 'recipient to check (RCPT TO) and of the test email; default: the sender')
    .option('--send-test', 'send a short test email once every step passed')
    .addOption(new Option('--preset <id>', 'provider preset (gmail, microsoft-365…) for provider-specific explanations').choices(PRESET_IDS))
    .option('--allow-self-signed', 'accept a certificate that does not verify, as delivery would with this setting')
    .option('--json', 'print the report as JSON')
    .addOption(new Option('--lang <lang>', 'language of the report').choices(['fr', 'en']).default('en'))
    .option('--detect', 'only detect the security each usual port offers (465, 587, 2525, 25)')
    .showHelpAfterError()
    .exitOverride((error: CommanderError) => {
      // Help and version exit 0; every parsing error (unknown option, bad choice) is a usage error.
      process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR);
    })
    .action(async (opts: CheckSmtpOptions) => {
      try {
        await checkSmtp(opts);
      } catch (error) {
        if (error instanceof UsageError || (error instanceof AppError && error.code === 'invalid_address')) {
          console.error(`relais check-smtp: ${error.message}`);
          process.exitCode = USAGE_ERROR;
          return;
        }
        throw error;
      }
    });
}
