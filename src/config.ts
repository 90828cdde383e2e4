// The only reader of process.env. Parsed once at boot, validated, frozen.
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const portList = z.string().transform((value, ctx) => {
  const ports = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map(Number);
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of ports (1-65535)' });
    return z.NEVER;
  }
  return ports;
});

const smtpUrl = z
  .string()
  .refine((v) => /^smtps?:\/\/[^/]+/i.test(v), {
    message: 'must look like smtp://user:pass@host:587 or smtps://user:pass@host:465',
  })
  .refine((v) => !/[?&]starttls=/.test(v) || /[?&]starttls=(required|never)(&|$)/.test(v), {
    message: 'accepts ?starttls=required or ?starttls=never only',
  });

const secretKey = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, {
  message: 'must be 32 bytes encoded in base64 (generate one with: openssl rand -base64 32)',
});

/** Keys that only open secrets sealed before a rotation: comma-separated base64 keys. */
const secretKeyList = z.string().transform((value, ctx) => {
  const keys = value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (keys.some((k) => Buffer.from(k, 'base64').length !== 32)) {
    ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of keys of 32 bytes encoded in base64' });
    return z.NEVER;
  }
  return keys;
});

/**
 * Who may show Relais's pages in a frame (CSP frame-ancestors): space-separated origins such as
 * https://platform.example (a `*.` wildcard for subdomains allowed) or 'self', with its quotes.
 */
const frameAncestors = z.string().transform((value, ctx) => {
  const entries = value.split(/\s+/).filter((e) => e !== '');
  const bad = entries.filter((e) => e !== "'self'" && !isOrigin(e));
  if (entries.length === 0 || bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be space-separated origins such as https://platform.example (scheme, host and port only; https://*.platform.example for its subdomains) or 'self' with its quotes; not ${bad.map((e) => JSON.stringify(e)).join(', ') || 'empty'}`,
    });
    return z.NEVER;
  }
  return entries;
});

function isOrigin(entry: string): boolean {
  const wildcard = /^(https?:\/\/)\*\.(.+)$/.exec(entry);
  const candidate = wildcard ? `${wildcard[1]}x.${wildcard[2]}` : entry;
  try {
    const url = new URL(candidate);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === candidate;
  } catch {
    return false;
  }
}

/** A duration in seconds; fractions allowed (0.5). */
const seconds = z.coerce.number({ message: 'must be a number of seconds' }).positive('must be more than 0').max(3600, 'must be at most 3600');

/** A retention limit in whole days (at most ten years). */
const days = z.coerce.number({ message: 'must be a number of days' }).int('must be whole days').min(1, 'must be at least 1 day').max(3650, 'must be at most 3650 days');

/** Every environment variable Relais reads; anything else starting with RELAIS_ stops start-up. */
/** An operator-set token endpoint: https://, or http:// for sovereign clouds and tests; never user input. */
const endpointUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an http:// or https:// URL without query or fragment')
  .transform((v) => v.replace(/\/$/, ''));

const envSchema = z.object({
  RELAIS_PORT: port.default(8080),
  RELAIS_HOST: z.string().min(1).default('0.0.0.0'),
  RELAIS_PUBLIC_URL: z.string().url('must be a URL such as https://relais.example.com').optional(),
  RELAIS_DATA_DIR: z.string().min(1).default('./relais-data'),
  RELAIS_DATABASE_URL: z
    .string()
    .refine((v) => /^(postgres(ql)?:\/\/|sqlite:)/.test(v), {
      message: 'must be postgres://… or sqlite:<path>',
    })
    .optional(),
  RELAIS_SECRET_KEY: secretKey.optional(),
  RELAIS_SECRET_KEY_PREVIOUS: secretKeyList.optional(),
  RELAIS_PLATFORM_SMTP_URL: smtpUrl.optional(),
  RELAIS_PLATFORM_FROM: z.string().min(3).optional(),
  RELAIS_BOOTSTRAP_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: bool.optional(),
  RELAIS_SMTP_ALLOWED_PORTS: portList.default([25, 465, 587, 2525]),
  RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS: bool.optional(),
  RELAIS_DEMO: bool.default(false),
  RELAIS_DEV_INBOX_PORT: port.default(0),
  RELAIS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Below 64 KiB nothing would fit: the size check reserves room for the longest sender and the MIME structure.
  RELAIS_MAX_MESSAGE_BYTES: z.coerce.number().int().min(64 * 1024, 'must be at least 65536 (64 KiB)').default(10 * 1024 * 1024),
  RELAIS_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  RELAIS_DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  RELAIS_TRUST_PROXY: z
    .string()
    .regex(/^(false|true|\d{1,2})$/, 'must be false, true or the number of proxies in front of Relais')
    .default('false'),
  RELAIS_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(600).default(20),
  RELAIS_DATABASE_WAIT_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  RELAIS_RELAY_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(100).default(3),
  RELAIS_RELAY_CONNECT_TIMEOUT_SECONDS: seconds.default(10),
  RELAIS_RELAY_GREETING_TIMEOUT_SECONDS: seconds.default(15),
  RELAIS_RELAY_SOCKET_TIMEOUT_SECONDS: seconds.default(60),
  RELAIS_FRAME_ANCESTORS: frameAncestors.default(["'self'"]),
  RELAIS_RELAY_SEND_TIMEOUT_SECONDS: seconds.default(120),
  RELAIS_OAUTH_MICROSOFT_AUTHORITY: endpointUrl.default('https://login.microsoftonline.com'),
  RELAIS_OAUTH_GOOGLE_TOKEN_URL: endpointUrl.default('https://oauth2.googleapis.com/token'),
  RELAIS_OAUTH_MICROSOFT_CLIENT_ID: z.string().regex(/^[\w.-]{1,200}$/, 'must be the application (client) id').optional(),
  RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
  RELAIS_OAUTH_GOOGLE_CLIENT_ID: z.string().regex(/^[\w.-]{1,200}$/, 'must be the OAuth client id').optional(),
  RELAIS_OAUTH_GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  RELAIS_OAUTH_GOOGLE_AUTHORIZATION_URL: endpointUrl.default('https://accounts.google.com/o/oauth2/v2/auth'),
  RELAIS_OAUTH_GOOGLE_JWKS_URL: endpointUrl.default('https://www.googleapis.com/oauth2/v3/certs'),
  RELAIS_SMTP_PORT: port.optional(),
  RELAIS_SMTPS_PORT: port.optional(),
  RELAIS_SMTP_TLS_CERT: z.string().min(1).optional(),
  RELAIS_SMTP_TLS_KEY: z.string().min(1).optional(),
  RELAIS_SMTP_ALLOW_INSECURE_AUTH: bool.optional(),
  RELAIS_RETENTION_CONTENT_DAYS: days.default(7),
  RELAIS_RETENTION_LOG_DAYS: days.default(90),
  RELAIS_RETENTION_EVENTS_DAYS: days.default(30),
  RELAIS_RETENTION_AUDIT_DAYS: days.default(365),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly database: { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };
  /** base64, 32 bytes; absent in embedded mode until generated into the data dir. */
  readonly secretKey: string | undefined;
  /**
   * Former RELAIS_SECRET_KEY values, kept during a rotation so secrets sealed under them stay
   * readable until `relais keys rotate-secret` has re-wrapped them under the current key.
   */
  readonly secretKeyPrevious: readonly string[];
  readonly platformSmtpUrl: string | undefined;
  readonly platformFrom: string;
  readonly bootstrapApiKey: string | undefined;
  readonly allowPrivateSmtpHosts: boolean;
  readonly smtpAllowedPorts: readonly number[];
  /** Webhook endpoints may be http:// and on private addresses (tests, self-hosted); https:// and public addresses only otherwise. */
  readonly allowPrivateWebhookUrls: boolean;
  readonly demo: boolean;
  readonly devInboxPort: number;
  readonly logLevel: string;
  readonly maxMessageBytes: number;
  readonly leaseSeconds: number;
  readonly dispatchConcurrency: number;
  readonly shutdownGraceSeconds: number;
  /** How long start-up waits for a database that does not answer yet (a container started before PostgreSQL). */
  readonly databaseWaitSeconds: number;
  /** Whether to believe X-Forwarded-For: false, true, or how many proxies sit in front. */
  readonly trustProxy: boolean | number;
  /** Relay-level failures in a row that make an active relay `failing`. */
  readonly relayFailureThreshold: number;
  /** Per-stage timeouts of connections to organizations' relays, in milliseconds. */
  readonly relayTimeouts: { readonly connection: number; readonly greeting: number; readonly socket: number };
  /** Who may frame Relais's pages (CSP frame-ancestors): origins, or 'self'. */
  readonly frameAncestors: readonly string[];
  /**
   * Overall deadline of one relay transaction (connect → QUIT) in milliseconds, whatever the
   * idle timeouts say: a delivery, a probe or a check through an organization's relay.
   */
  readonly relaySendTimeoutMs: number;
  /**
   * How long Relais keeps personal data, in days after a message is final (sent or failed) or
   * after an event or audit entry was written; an organization may choose shorter limits.
   */
  readonly retention: RetentionDays;
  /** Token endpoints of OAuth2 app sign-in (operator configuration, never taken from a relay's settings). */
  readonly oauth: {
    readonly microsoftAuthority: string;
    readonly googleTokenUrl: string;
    /**
     * "Connect with Microsoft / Google": the platform's registered applications (a provider
     * without one is not offered) and Google's authorization and signing-key endpoints.
     * Microsoft's endpoints all derive from the authority.
     */
    readonly connect: {
      readonly microsoft: ConnectApplication | undefined;
      readonly google: ConnectApplication | undefined;
      readonly googleAuthorizationUrl: string;
      readonly googleJwksUrl: string;
      /** `${publicUrl}/oauth/callback`, to register with each provider. */
      readonly redirectUri: string;
    };
  };
  readonly smtpSubmission: SmtpSubmissionConfig;
}

/**
 * SMTP submission: where it listens (off when neither port is set) and its TLS. Certificate and
 * key are file paths (PEM). Without them AUTH is possible only when insecure AUTH is allowed.
 */
export interface SmtpSubmissionConfig {
  /** STARTTLS port (587 in production; 2587 in the demo), or undefined. 0 picks a free port. */
  readonly port: number | undefined;
  /** Implicit TLS port (465), or undefined. */
  readonly tlsPort: number | undefined;
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  /** AUTH before TLS (tests, loopback, the demo). */
  readonly allowInsecureAuth: boolean;
  /** The port is the demo's documented default (not set): another free one will do if it is taken. */
  readonly demoDefaultPort: boolean;
}

/** The demo's SMTP submission port when RELAIS_SMTP_PORT is not set. */
export const DEMO_SMTP_PORT = 2587;

export interface RetentionDays {
  /** Message content: bodies, attachments, custom headers, recipients' names. */
  readonly contentDays: number;
  /** Delivery-log metadata: status, route, attempts, replies, recipients' addresses. */
  readonly logDays: number;
  /** Platform events (GET /v1/events). */
  readonly eventsDays: number;
  /** The organizations' audit logs. */
  readonly auditDays: number;
}

/** An OAuth application the platform registered with a provider (authorization code + PKCE). */
export interface ConnectApplication {
  readonly clientId: string;
  readonly clientSecret: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const KNOWN_ENV = Object.keys(envSchema.shape);

/** Parses the environment (and CLI overrides such as --demo) into a frozen Config, or throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: { demo?: boolean } = {}): Config {
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('RELAIS_') && v !== undefined && v !== ''),
  );
  const problems: string[] = [];
  for (const key of Object.keys(relevant)) {
    if (!KNOWN_ENV.includes(key)) problems.push(`${key} is not a setting Relais knows (known: ${KNOWN_ENV.join(', ')})`);
  }
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')} ${issue.message}`);
  }
  if (parsed.success && parsed.data.RELAIS_SECRET_KEY_PREVIOUS && !parsed.data.RELAIS_SECRET_KEY) {
    problems.push('RELAIS_SECRET_KEY_PREVIOUS is set without RELAIS_SECRET_KEY: set the new key in RELAIS_SECRET_KEY and keep only former keys here');
  }
  if (parsed.success) {
    for (const provider of ['MICROSOFT', 'GOOGLE'] as const) {
      const id = parsed.data[`RELAIS_OAUTH_${provider}_CLIENT_ID`];
      const secret = parsed.data[`RELAIS_OAUTH_${provider}_CLIENT_SECRET`];
      if ((id === undefined) !== (secret === undefined)) {
        problems.push(`RELAIS_OAUTH_${provider}_CLIENT_ID and RELAIS_OAUTH_${provider}_CLIENT_SECRET go together: set both to offer "Connect with ${provider === 'MICROSOFT' ? 'Microsoft' : 'Google'}", or neither`);
      }
    }
  }
  if (parsed.success && (parsed.data.RELAIS_SMTP_TLS_CERT === undefined) !== (parsed.data.RELAIS_SMTP_TLS_KEY === undefined)) {
    problems.push('RELAIS_SMTP_TLS_CERT and RELAIS_SMTP_TLS_KEY go together: the certificate and its private key (PEM files)');
  }
  if (parsed.success && parsed.data.RELAIS_SMTPS_PORT !== undefined && parsed.data.RELAIS_SMTP_TLS_CERT === undefined) {
    problems.push('RELAIS_SMTPS_PORT needs RELAIS_SMTP_TLS_CERT and RELAIS_SMTP_TLS_KEY: implicit TLS presents that certificate');
  }
  if (
    parsed.success &&
    parsed.data.RELAIS_SMTP_PORT !== undefined &&
    parsed.data.RELAIS_SMTP_TLS_CERT === undefined &&
    !(parsed.data.RELAIS_SMTP_ALLOW_INSECURE_AUTH ?? false)
  ) {
    problems.push(
      'RELAIS_SMTP_PORT needs RELAIS_SMTP_TLS_CERT and RELAIS_SMTP_TLS_KEY (API keys are passwords on this port: they travel only over TLS), or RELAIS_SMTP_ALLOW_INSECURE_AUTH=true on a loopback or trusted network',
    );
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const demo = overrides.demo ?? e.RELAIS_DEMO;
  const dataDir = path.resolve(e.RELAIS_DATA_DIR);
  const dbUrl = e.RELAIS_DATABASE_URL;
  const database: Config['database'] =
    dbUrl && /^postgres/.test(dbUrl)
      ? { kind: 'postgres', url: dbUrl }
      : { kind: 'sqlite', file: dbUrl ? path.resolve(dbUrl.replace(/^sqlite:/, '')) : path.join(dataDir, 'relais.db') };
  const publicUrl = (e.RELAIS_PUBLIC_URL ?? `http://localhost:${e.RELAIS_PORT}`).replace(/\/$/, '');
  const application = (clientId: string | undefined, clientSecret: string | undefined) =>
    clientId !== undefined && clientSecret !== undefined ? Object.freeze({ clientId, clientSecret }) : undefined;
  return Object.freeze({
    port: e.RELAIS_PORT,
    host: e.RELAIS_HOST,
    publicUrl,
    dataDir,
    database,
    secretKey: e.RELAIS_SECRET_KEY,
    secretKeyPrevious: Object.freeze([...(e.RELAIS_SECRET_KEY_PREVIOUS ?? [])]),
    platformSmtpUrl: e.RELAIS_PLATFORM_SMTP_URL,
    platformFrom: e.RELAIS_PLATFORM_FROM ?? (demo ? 'Relais Demo <hello@platform.example>' : 'Relais <hello@platform.example>'),
    bootstrapApiKey: e.RELAIS_BOOTSTRAP_API_KEY,
    allowPrivateSmtpHosts: e.RELAIS_ALLOW_PRIVATE_SMTP_HOSTS ?? demo,
    smtpAllowedPorts: Object.freeze([...e.RELAIS_SMTP_ALLOWED_PORTS]),
    allowPrivateWebhookUrls: e.RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS ?? demo,
    demo,
    devInboxPort: e.RELAIS_DEV_INBOX_PORT,
    logLevel: e.RELAIS_LOG_LEVEL,
    maxMessageBytes: e.RELAIS_MAX_MESSAGE_BYTES,
    leaseSeconds: e.RELAIS_LEASE_SECONDS,
    dispatchConcurrency: e.RELAIS_DISPATCH_CONCURRENCY,
    shutdownGraceSeconds: e.RELAIS_SHUTDOWN_GRACE_SECONDS,
    databaseWaitSeconds: e.RELAIS_DATABASE_WAIT_SECONDS,
    trustProxy: e.RELAIS_TRUST_PROXY === 'true' ? true : e.RELAIS_TRUST_PROXY === 'false' ? false : Number(e.RELAIS_TRUST_PROXY),
    relayFailureThreshold: e.RELAIS_RELAY_FAILURE_THRESHOLD,
    relayTimeouts: Object.freeze({
      connection: Math.round(e.RELAIS_RELAY_CONNECT_TIMEOUT_SECONDS * 1000),
      greeting: Math.round(e.RELAIS_RELAY_GREETING_TIMEOUT_SECONDS * 1000),
      socket: Math.round(e.RELAIS_RELAY_SOCKET_TIMEOUT_SECONDS * 1000),
    }),
    frameAncestors: Object.freeze([...e.RELAIS_FRAME_ANCESTORS]),
    relaySendTimeoutMs: Math.round(e.RELAIS_RELAY_SEND_TIMEOUT_SECONDS * 1000),
    retention: Object.freeze({
      contentDays: e.RELAIS_RETENTION_CONTENT_DAYS,
      logDays: e.RELAIS_RETENTION_LOG_DAYS,
      eventsDays: e.RELAIS_RETENTION_EVENTS_DAYS,
      auditDays: e.RELAIS_RETENTION_AUDIT_DAYS,
    }),
    oauth: Object.freeze({
      microsoftAuthority: e.RELAIS_OAUTH_MICROSOFT_AUTHORITY,
      googleTokenUrl: e.RELAIS_OAUTH_GOOGLE_TOKEN_URL,
      connect: Object.freeze({
        microsoft: application(e.RELAIS_OAUTH_MICROSOFT_CLIENT_ID, e.RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET),
        google: application(e.RELAIS_OAUTH_GOOGLE_CLIENT_ID, e.RELAIS_OAUTH_GOOGLE_CLIENT_SECRET),
        googleAuthorizationUrl: e.RELAIS_OAUTH_GOOGLE_AUTHORIZATION_URL,
        googleJwksUrl: e.RELAIS_OAUTH_GOOGLE_JWKS_URL,
        redirectUri: `${publicUrl}/oauth/callback`,
      }),
    }),
    smtpSubmission: Object.freeze({
      // Off in production unless a port is set; on in the demo, on a documented port.
      port: e.RELAIS_SMTP_PORT ?? (demo ? DEMO_SMTP_PORT : undefined),
      tlsPort: e.RELAIS_SMTPS_PORT,
      tlsCertFile: e.RELAIS_SMTP_TLS_CERT === undefined ? undefined : path.resolve(e.RELAIS_SMTP_TLS_CERT),
      tlsKeyFile: e.RELAIS_SMTP_TLS_KEY === undefined ? undefined : path.resolve(e.RELAIS_SMTP_TLS_KEY),
      // The demo has no certificate: its submission port takes AUTH in clear (listen on loopback).
      allowInsecureAuth: e.RELAIS_SMTP_ALLOW_INSECURE_AUTH ?? demo,
      demoDefaultPort: demo && e.RELAIS_SMTP_PORT === undefined,
    }),
  });
}
