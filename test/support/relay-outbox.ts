// Helpers for tests of mail through organizations' relays: an app on a fake clock with a
// platform sender fixture, organizations with an owner and an active relay, and readers for
// what the API reports (messages, attempts, events, the relay).
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import type { AppDeps } from '../../src/api/app.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/outbox/retry-policy.ts';
import type { Relay } from '../../src/relays/relay.ts';
import type { Dialect } from './databases.ts';
import { addMember } from './actors.ts';
import { createRelayTestApp, storeRelay, type RelayTestApp } from './relays.ts';
import { startSmtpFixture, type CapturedMessage, type Script, type SmtpFixture } from './smtp-fixture.ts';

export const RELAY_CREDENTIALS = { username: 'formation@school.test', password: 'relay-password-1' };
export const PLATFORM_CREDENTIALS = { username: 'platform', password: 'platform-password-1' };

/**
 * An organization's relay on `relayHost`:587 and the platform sender on `platformHost`:2525,
 * both plain SMTP with AUTH (RELAY_CREDENTIALS, PLATFORM_CREDENTIALS).
 */
export async function startRelayAndPlatform(relayHost: string, platformHost: string, relayScript?: Script): Promise<{ relay: SmtpFixture; platform: SmtpFixture }> {
  const relay = await startSmtpFixture({ host: relayHost, port: 587, security: 'none', auth: RELAY_CREDENTIALS, ...(relayScript ? { script: relayScript } : {}) });
  const platform = await startSmtpFixture({ host: platformHost, port: 2525, security: 'none', auth: PLATFORM_CREDENTIALS });
  return { relay, platform };
}

/**
 * RELAIS_PLATFORM_SMTP_URL for the plain platform fixture: `?starttls=never`, since the platform
 * sender hands credentials over in clear only on the operator's explicit word.
 */
export function platformSmtpUrl(platform: SmtpFixture): string {
  return `smtp://${PLATFORM_CREDENTIALS.username}:${PLATFORM_CREDENTIALS.password}@${platform.host}:${platform.port}?starttls=never`;
}

/** Environment of an app on the real clock, quiet, with the platform sender at `platform` and no grace at shutdown. */
export function realClockEnv(platform: SmtpFixture, extra: Record<string, string> = {}): Record<string, string> {
  return {
    RELAIS_LOG_LEVEL: 'silent',
    RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
    RELAIS_PLATFORM_SMTP_URL: platformSmtpUrl(platform),
    RELAIS_SHUTDOWN_GRACE_SECONDS: '0',
    ...extra,
  };
}

/**
 * Starts the relay and the platform sender (as startRelayAndPlatform) before the file's tests,
 * hands them to `use`, and closes them after the file's tests.
 */
export function useRelayAndPlatform(
  relayHost: string,
  platformHost: string,
  use: (fixtures: { relay: SmtpFixture; platform: SmtpFixture }) => void,
  relayScript?: Script,
): void {
  let fixtures: { relay: SmtpFixture; platform: SmtpFixture } | undefined;
  before(async () => {
    fixtures = await startRelayAndPlatform(relayHost, platformHost, relayScript);
    use(fixtures);
  });
  after(async () => {
    await Promise.all([fixtures?.relay.close(), fixtures?.platform.close()]);
  });
}

export interface OutboxTestApp extends RelayTestApp {
  clock: ManualClock;
}

/** An app on a fake clock, retries without jitter, the platform sender at `platform`. */
export async function createOutboxTestApp(
  dialect: Dialect,
  platform: SmtpFixture,
  options: { env?: Record<string, string>; deps?: Partial<AppDeps>; clock?: ManualClock } = {},
): Promise<OutboxTestApp> {
  const clock = options.clock ?? new ManualClock();
  const t = await createRelayTestApp({
    dialect,
    env: {
      RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
      RELAIS_PUBLIC_URL: 'https://relais.example.test',
      RELAIS_PLATFORM_SMTP_URL: platformSmtpUrl(platform),
      ...options.env,
    },
    deps: { clock, retryPolicy: { ...DEFAULT_RETRY_POLICY, jitter: 0 }, ...options.deps },
  });
  return Object.assign(t, { clock });
}

/** An organization with the customSmtp flag, an owner, and (unless `relay` is null) an active relay on `fixture`. */
export async function organizationWithRelay(
  t: RelayTestApp,
  args: { id: string; locale?: 'fr' | 'en'; fixture: Pick<SmtpFixture, 'host' | 'port'>; relay?: Partial<Omit<Relay, 'id' | 'organizationId' | 'sealedPassword'>> & { password?: string } },
): Promise<Relay> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/v1/organizations',
    headers: t.auth,
    payload: { id: args.id, name: `École ${args.id}`, locale: args.locale ?? 'fr' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const flag = await t.app.inject({ method: 'PATCH', url: `/v1/organizations/${args.id}`, headers: t.auth, payload: { features: { customSmtp: true } } });
  assert.equal(flag.statusCode, 200, flag.body);
  await addMember(t.app.relais, args.id, `${args.id}-owner`, 'owner', { email: `owner@${args.id}.test`, name: 'Camille Owner' });
  await addMember(t.app.relais, args.id, `${args.id}-admin`, 'admin', { email: `admin@${args.id}.test` });
  const now = t.app.relais.clock.now();
  return storeRelay(t.app.relais, args.id, {
    host: args.fixture.host,
    port: args.fixture.port,
    security: 'none',
    username: RELAY_CREDENTIALS.username,
    password: RELAY_CREDENTIALS.password,
    fromEmail: `formation@${args.id}.test`,
    fromName: `Formation ${args.id}`,
    status: 'active',
    activeSince: now,
    ...args.relay,
  });
}

/** Queues a message for the organization through the API; returns its id and its (unique) subject. */
export async function submit(t: RelayTestApp, organizationId: string, subject: string, extra: object = {}): Promise<{ id: string; subject: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${organizationId}/messages`,
    headers: t.auth,
    payload: { to: 'lea@example.org', subject, text: 'Merci de signer la feuille de présence.', ...extra },
  });
  assert.equal(res.statusCode, 202, res.body);
  return { id: res.json().id, subject };
}

export async function messageOf(t: RelayTestApp, organizationId: string, id: string) {
  const res = await t.app.inject({ method: 'GET', url: `/v1/organizations/${organizationId}/messages/${id}`, headers: t.auth });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

export async function relayOf(t: RelayTestApp, organizationId: string, query = '') {
  const res = await t.app.inject({ method: 'GET', url: `/v1/organizations/${organizationId}/smtp-relay${query}`, headers: t.auth });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

export async function eventsOf(t: RelayTestApp, organizationId: string, type?: string): Promise<{ type: string; messageId: string | null; data: Record<string, unknown> }[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/events?organizationId=${organizationId}&limit=500${type ? `&type=${type}` : ''}`,
    headers: t.auth,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().events;
}

export function withSubject(fixture: SmtpFixture, subject: string): CapturedMessage[] {
  return fixture.messages.filter((m) => m.parsed.subject === subject);
}

/** Messages the platform sender received for an address, e.g. relay alerts to an owner. */
export function mailTo(fixture: SmtpFixture, address: string): CapturedMessage[] {
  return fixture.messages.filter((m) => m.envelope.to.includes(address));
}
