// Helpers for relay tests: an app with its own key ring and captured logs, organizations with
// the customSmtp flag, relay bodies, and the forms a leaked password could take.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Dialect } from './databases.ts';
import { createTestApp, type TestApp } from './app.ts';
import type { AppDeps } from '../../src/api/app.ts';
import { newId } from '../../src/ids.ts';
import { createLogger } from '../../src/logger.ts';
import type { Relais } from '../../src/relais.ts';
import { insertRelay } from '../../src/relays/settings/relay.repository.ts';
import { HEALTHY, type Relay } from '../../src/relays/relay.ts';
import { PASSWORD_AUTH } from '../../src/relays/relay-auth.ts';
import { fixedSecretKeys } from '../../src/secrets/key-source.ts';
import { generateSecretKey, KeyRing } from '../../src/secrets/key-ring.ts';
import type { Resolver } from '../../src/smtp/address-guard.ts';
import { TEST_CA } from './tls.ts';

export interface RelayTestApp extends TestApp {
  /** Every log line the app wrote (level trace), as JSON text. */
  logs: string[];
  secretKey: string;
}

/** A resolver that knows only the names given (and fails like DNS for the rest). */
export function fakeResolver(names: Record<string, string | string[]>): Resolver & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    async lookup(host) {
      lookups.push(host);
      const answer = names[host];
      if (answer === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return [answer].flat().map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));
    },
  };
}

export async function createRelayTestApp(
  options: { dialect?: Dialect; env?: Record<string, string>; resolver?: Resolver; secretKey?: string; deps?: Partial<AppDeps> } = {},
): Promise<RelayTestApp> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const secretKey = options.secretKey ?? generateSecretKey();
  const t = await createTestApp({
    ...(options.dialect ? { dialect: options.dialect } : {}),
    env: { RELAIS_LOG_LEVEL: 'trace', ...options.env },
    deps: {
      logger: createLogger('trace', destination),
      smtpCa: [TEST_CA],
      secretKeys: fixedSecretKeys(KeyRing.fromBase64(secretKey)),
      ...(options.resolver ? { smtpResolver: options.resolver } : {}),
      ...options.deps,
    },
  });
  return Object.assign(t, { logs, secretKey });
}

export async function createOrganization(t: TestApp, id: string, customSmtp = true): Promise<void> {
  const created = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id, name: `Org ${id}` } });
  assert.equal(created.statusCode, 201, created.body);
  if (customSmtp) await setCustomSmtp(t, id, true);
}

export async function setCustomSmtp(t: TestApp, id: string, on: boolean): Promise<void> {
  const res = await t.app.inject({ method: 'PATCH', url: `/v1/organizations/${id}`, headers: t.auth, payload: { features: { customSmtp: on } } });
  assert.equal(res.statusCode, 200, res.body);
}

export interface RelayBody {
  preset: string;
  host: string;
  port: number;
  security: string;
  username: string;
  password?: string;
  fromEmail: string;
  fromName: string;
  replyTo?: string | null;
  fallbackPolicy: string;
  allowSelfSigned?: boolean;
}

export function relayBody(overrides: Partial<RelayBody> = {}): RelayBody {
  return {
    preset: 'custom',
    host: '127.0.0.19',
    port: 587,
    security: 'starttls',
    username: 'formation@school.test',
    password: 'unused-password',
    fromEmail: 'formation@school.test',
    fromName: 'École Formation',
    fallbackPolicy: 'fallback',
    ...overrides,
  };
}

/** The password as it could leak: in clear, in base64 and base64url, and inside an AUTH PLAIN token. */
export function leakForms(password: string, username?: string): string[] {
  const forms = [password, Buffer.from(password).toString('base64'), Buffer.from(password).toString('base64url')];
  if (username) forms.push(Buffer.from(`\0${username}\0${password}`).toString('base64'));
  // Base64 without padding matches inside longer encodings too.
  return [...new Set(forms.map((f) => f.replace(/=+$/, '')))];
}

export function assertNoLeak(texts: readonly string[], password: string, username?: string): void {
  const forms = leakForms(password, username);
  for (const text of texts) {
    for (const form of forms) assert.ok(!text.includes(form), `a secret leaked (${form.slice(0, 3)}…) in: ${text.slice(0, 200)}`);
  }
}

/**
 * Stores a relay directly, bypassing the API's rules and the address guard at save time (the
 * guard still runs before every connection): for tests that need a relay in a given state,
 * e.g. verified, or at an address the guard only refuses later (DNS rebinding).
 */
export async function storeRelay(
  relais: Relais,
  organizationId: string,
  overrides: Partial<Omit<Relay, 'id' | 'organizationId' | 'sealedPassword'>> & { password?: string } = {},
): Promise<Relay> {
  const now = relais.clock.now();
  const { password = 'stored-password', auth = PASSWORD_AUTH, ...rest } = overrides;
  const id = newId('rly', now);
  const relay: Relay = {
    id,
    organizationId,
    preset: 'custom',
    host: '127.0.0.1',
    port: 587,
    security: 'starttls',
    username: 'formation@school.test',
    fromEmail: 'formation@school.test',
    fromName: 'École Formation',
    replyTo: null,
    fallbackPolicy: 'fallback',
    allowSelfSigned: false,
    limits: null,
    auth,
    version: 1,
    sealedPassword: relais.relays.sealPassword({ id, organizationId, auth }, password),
    status: 'off',
    statusChangedAt: now,
    activeSince: null,
    verifiedVersion: 1,
    verifiedAt: now,
    lastCheck: null,
    health: HEALTHY,
    createdAt: now,
    updatedAt: now,
    ...rest,
  };
  await insertRelay(relais.store.db, relay);
  return relay;
}

/** Settings of a relay saved through RelayService in secrets tests (the password is each test's). */
export const SAVED_RELAY_SETTINGS = {
  preset: 'custom' as const,
  host: '127.0.0.20',
  port: 587,
  security: 'starttls' as const,
  username: 'formation@school.test',
  fromEmail: 'formation@school.test',
  fromName: 'École',
  replyTo: null,
  fallbackPolicy: 'fallback' as const,
  allowSelfSigned: false,
};
