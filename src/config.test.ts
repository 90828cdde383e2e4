import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { connectLines } from './cli/start.ts';
import { ConfigError, loadConfig } from './config.ts';

test('defaults give the embedded SQLite setup', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.database.kind, 'sqlite');
  assert.equal(c.database.kind === 'sqlite' && c.database.file, path.resolve('relais-data/relais.db'));
  assert.deepEqual(c.smtpAllowedPorts, [25, 465, 587, 2525]);
  assert.equal(c.allowPrivateSmtpHosts, false);
  assert.ok(Object.isFrozen(c));
});

test('demo mode allows private relays unless told otherwise', () => {
  assert.equal(loadConfig({}, { demo: true }).allowPrivateSmtpHosts, true);
  assert.equal(loadConfig({ RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'false' }, { demo: true }).allowPrivateSmtpHosts, false);
});

test('postgres URLs switch the dialect; ports lists are parsed', () => {
  const c = loadConfig({ RELAIS_DATABASE_URL: 'postgres://u@db/relais', RELAIS_SMTP_ALLOWED_PORTS: '587, 2525' });
  assert.equal(c.database.kind, 'postgres');
  assert.deepEqual(c.smtpAllowedPorts, [587, 2525]);
});

test('unknown RELAIS_ variables and invalid values stop start-up with every problem named', () => {
  assert.throws(
    () => loadConfig({ RELAIS_PORTT: '1', RELAIS_PORT: 'eighty', RELAIS_SECRET_KEY: 'short', RELAIS_PLATFORM_SMTP_URL: 'http://x', OTHER: 'ignored' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /RELAIS_PORTT is not a setting/);
      assert.match(error.message, /RELAIS_PORT must be a number/);
      assert.match(error.message, /RELAIS_SECRET_KEY must be 32 bytes/);
      assert.match(error.message, /RELAIS_PLATFORM_SMTP_URL must look like smtp:/);
      assert.doesNotMatch(error.message, /OTHER/);
      return true;
    },
  );
  assert.throws(() => loadConfig({ RELAIS_SMTP_ALLOWED_PORTS: '587,99999' }), /comma-separated list of ports/);
  assert.throws(() => loadConfig({ RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'maybe' }), /must be true or false/);
  assert.throws(() => loadConfig({ RELAIS_MAX_MESSAGE_BYTES: '16384' }), /RELAIS_MAX_MESSAGE_BYTES must be at least 65536/);
  assert.throws(() => loadConfig({ RELAIS_PLATFORM_SMTP_URL: 'smtp://u:p@smtp.example.com:587?starttls=optional' }), /starttls=required or \?starttls=never only/);
  assert.equal(loadConfig({ RELAIS_PLATFORM_SMTP_URL: 'smtp://u:p@smtp.example.com:587?starttls=never' }).platformSmtpUrl?.endsWith('never'), true);
});

test('relay health and relay timeouts: defaults, and seconds (fractions allowed) turned into milliseconds', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.relayFailureThreshold, 3);
  assert.deepEqual(defaults.relayTimeouts, { connection: 10_000, greeting: 15_000, socket: 60_000 });
  const tuned = loadConfig({ RELAIS_RELAY_FAILURE_THRESHOLD: '5', RELAIS_RELAY_GREETING_TIMEOUT_SECONDS: '0.5' });
  assert.equal(tuned.relayFailureThreshold, 5);
  assert.equal(tuned.relayTimeouts.greeting, 500);
  assert.throws(() => loadConfig({ RELAIS_RELAY_SOCKET_TIMEOUT_SECONDS: '0' }), /RELAIS_RELAY_SOCKET_TIMEOUT_SECONDS must be more than 0/);
});

test("RELAIS_FRAME_ANCESTORS: origins or 'self', anything else named in the error", () => {
  assert.deepEqual(loadConfig({}).frameAncestors, ["'self'"]);
  assert.deepEqual(loadConfig({ RELAIS_FRAME_ANCESTORS: "'self'  https://platform.example https://*.lms.example http://localhost:3000" }).frameAncestors, [
    "'self'",
    'https://platform.example',
    'https://*.lms.example',
    'http://localhost:3000',
  ]);
  for (const wrong of ['self', 'https://platform.example/', 'https://platform.example/settings', 'platform.example', 'ftp://platform.example', '*', "'unsafe-inline'"]) {
    assert.throws(
      () => loadConfig({ RELAIS_FRAME_ANCESTORS: `https://ok.example ${wrong}` }),
      (error: unknown) => error instanceof ConfigError && error.message.includes('RELAIS_FRAME_ANCESTORS must be space-separated origins') && error.message.includes(JSON.stringify(wrong)),
      wrong,
    );
  }
});

test('the overall deadline of a relay transaction: 120 s by default, validated like the other relay timeouts', () => {
  assert.equal(loadConfig({}).relaySendTimeoutMs, 120_000);
  assert.equal(loadConfig({ RELAIS_RELAY_SEND_TIMEOUT_SECONDS: '1.5' }).relaySendTimeoutMs, 1500);
  assert.throws(() => loadConfig({ RELAIS_RELAY_SEND_TIMEOUT_SECONDS: '0' }), /RELAIS_RELAY_SEND_TIMEOUT_SECONDS must be more than 0/);
  assert.throws(() => loadConfig({ RELAIS_RELAY_SEND_TIMEOUT_SECONDS: 'soon' }), /RELAIS_RELAY_SEND_TIMEOUT_SECONDS must be a number of seconds/);
});

test('OAuth2 token endpoints: the public ones by default, http:// allowed for operators (sovereign clouds, tests), never a query', () => {
  const { microsoftAuthority, googleTokenUrl } = loadConfig({}).oauth;
  assert.deepEqual({ microsoftAuthority, googleTokenUrl }, { microsoftAuthority: 'https://login.microsoftonline.com', googleTokenUrl: 'https://oauth2.googleapis.com/token' });
  const local = loadConfig({ RELAIS_OAUTH_MICROSOFT_AUTHORITY: 'http://127.0.0.1:8080/ms/', RELAIS_OAUTH_GOOGLE_TOKEN_URL: 'http://127.0.0.1:8080/token' }).oauth;
  assert.deepEqual([local.microsoftAuthority, local.googleTokenUrl], ['http://127.0.0.1:8080/ms', 'http://127.0.0.1:8080/token']);
  assert.throws(() => loadConfig({ RELAIS_OAUTH_GOOGLE_TOKEN_URL: 'ftp://example.org/token' }), /RELAIS_OAUTH_GOOGLE_TOKEN_URL must be an http/);
  assert.throws(() => loadConfig({ RELAIS_OAUTH_MICROSOFT_AUTHORITY: 'https://login.example/?x=1' }), /RELAIS_OAUTH_MICROSOFT_AUTHORITY must be an http/);
});

test('Connect with Microsoft / Google: offered only with both client id and secret; Google endpoints by default; redirect URI from the public URL', () => {
  const none = loadConfig({}).oauth.connect;
  assert.equal(none.microsoft, undefined);
  assert.equal(none.google, undefined);
  assert.equal(none.googleAuthorizationUrl, 'https://accounts.google.com/o/oauth2/v2/auth');
  assert.equal(none.googleJwksUrl, 'https://www.googleapis.com/oauth2/v3/certs');
  assert.equal(none.redirectUri, 'http://localhost:8080/oauth/callback');
  const both = loadConfig({
    RELAIS_PUBLIC_URL: 'https://relais.example.com/',
    RELAIS_OAUTH_MICROSOFT_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
    RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET: 'ms-secret',
    RELAIS_OAUTH_GOOGLE_CLIENT_ID: '123-abc.apps.googleusercontent.com',
    RELAIS_OAUTH_GOOGLE_CLIENT_SECRET: 'g-secret',
    RELAIS_OAUTH_GOOGLE_AUTHORIZATION_URL: 'http://127.0.0.1:9000/auth',
    RELAIS_OAUTH_GOOGLE_JWKS_URL: 'http://127.0.0.1:9000/jwks',
  }).oauth.connect;
  assert.deepEqual(both.microsoft, { clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'ms-secret' });
  assert.deepEqual(both.google, { clientId: '123-abc.apps.googleusercontent.com', clientSecret: 'g-secret' });
  assert.equal(both.googleAuthorizationUrl, 'http://127.0.0.1:9000/auth');
  assert.equal(both.googleJwksUrl, 'http://127.0.0.1:9000/jwks');
  assert.equal(both.redirectUri, 'https://relais.example.com/oauth/callback');
  assert.throws(() => loadConfig({ RELAIS_OAUTH_GOOGLE_CLIENT_ID: 'abc' }), /RELAIS_OAUTH_GOOGLE_CLIENT_ID and RELAIS_OAUTH_GOOGLE_CLIENT_SECRET go together/);
  assert.throws(() => loadConfig({ RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET: 'x' }), /RELAIS_OAUTH_MICROSOFT_CLIENT_ID and RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET go together/);
  assert.throws(() => loadConfig({ RELAIS_OAUTH_GOOGLE_AUTHORIZATION_URL: 'javascript:alert(1)' }), /RELAIS_OAUTH_GOOGLE_AUTHORIZATION_URL must be an http/);
});

test('start-up prints the redirect URI to register when a provider is configured', () => {
  assert.deepEqual(connectLines(loadConfig({})), []);
  const lines = connectLines(loadConfig({ RELAIS_PUBLIC_URL: 'https://relais.example.com', RELAIS_OAUTH_GOOGLE_CLIENT_ID: 'g', RELAIS_OAUTH_GOOGLE_CLIENT_SECRET: 's' }));
  assert.deepEqual(lines, ['Connect with Google: redirect URI to register with the provider: https://relais.example.com/oauth/callback']);
});

test('SMTP submission: off by default, on a documented port in the demo; a port needs TLS or insecure AUTH said out loud', () => {
  assert.equal(loadConfig({}).smtpSubmission.port, undefined);
  const demo = loadConfig({}, { demo: true }).smtpSubmission;
  assert.deepEqual({ port: demo.port, allowInsecureAuth: demo.allowInsecureAuth, demoDefaultPort: demo.demoDefaultPort }, { port: 2587, allowInsecureAuth: true, demoDefaultPort: true });
  const tls = loadConfig({ RELAIS_SMTP_PORT: '587', RELAIS_SMTPS_PORT: '465', RELAIS_SMTP_TLS_CERT: 'cert.pem', RELAIS_SMTP_TLS_KEY: 'key.pem' }).smtpSubmission;
  assert.deepEqual(tls, {
    port: 587,
    tlsPort: 465,
    tlsCertFile: path.resolve('cert.pem'),
    tlsKeyFile: path.resolve('key.pem'),
    allowInsecureAuth: false,
    demoDefaultPort: false,
  });
  assert.equal(loadConfig({ RELAIS_SMTP_PORT: '0', RELAIS_SMTP_ALLOW_INSECURE_AUTH: 'true' }).smtpSubmission.port, 0);
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };
  assert.match(problems({ RELAIS_SMTP_PORT: '587' }).join('\n'), /RELAIS_SMTP_PORT needs RELAIS_SMTP_TLS_CERT and RELAIS_SMTP_TLS_KEY/);
  assert.match(problems({ RELAIS_SMTPS_PORT: '465' }).join('\n'), /RELAIS_SMTPS_PORT needs RELAIS_SMTP_TLS_CERT/);
  assert.match(problems({ RELAIS_SMTP_TLS_CERT: 'c.pem' }).join('\n'), /go together/);
});

test('retention: 7 days of content, 90 of delivery log, 30 of events, 365 of audit by default; whole days from 1 to 3650', () => {
  assert.deepEqual({ ...loadConfig({}).retention }, { contentDays: 7, logDays: 90, eventsDays: 30, auditDays: 365 });
  const set = loadConfig({ RELAIS_RETENTION_CONTENT_DAYS: '2', RELAIS_RETENTION_LOG_DAYS: '30', RELAIS_RETENTION_EVENTS_DAYS: '10', RELAIS_RETENTION_AUDIT_DAYS: '730' });
  assert.deepEqual({ ...set.retention }, { contentDays: 2, logDays: 30, eventsDays: 10, auditDays: 730 });
  for (const [name, value] of [['RELAIS_RETENTION_CONTENT_DAYS', '0'], ['RELAIS_RETENTION_LOG_DAYS', '1.5'], ['RELAIS_RETENTION_AUDIT_DAYS', 'forever']]) {
    assert.throws(() => loadConfig({ [name as string]: value }), (error: unknown) => error instanceof ConfigError && error.message.includes(name as string));
  }
});
