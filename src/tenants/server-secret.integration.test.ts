// The secret that signs embedded sign-in links is sealed with the key ring: the database (or a
// backup of it) does not hold it in any usable form, a clear one from an earlier version is
// sealed at start-up, and `relais keys rotate-secret` re-wraps it without breaking links.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync, randomBytes } from 'node:crypto';
import { buildApp } from '../api/app.ts';
import { ManualClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { rotateRelaySecrets } from '../relays/settings/secret-rotation.ts';
import { sealedKeyId } from '../secrets/envelope.ts';
import { generateSecretKey, KeyRing } from '../secrets/key-ring.ts';
import type { Store } from '../store/store.ts';
import { addMember } from '../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { dialects, tempDir } from '../../test/support/databases.ts';
import { signEmbedToken } from './embed-token.ts';

const NAME = 'embed-token-signing';

async function storedValue(store: Store): Promise<string> {
  const row = await store.db.selectFrom('server_secrets').select('value').where('name', '=', NAME).executeTakeFirstOrThrow();
  return row.value;
}

/** A link signed with `secret` the way Relais signs them, for lea of acme. */
function forgedWith(secret: Buffer, now: number): string {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'relais embed token v1', 32));
  return signEmbedToken(key, { jti: randomBytes(16).toString('base64url'), organizationId: 'acme', userId: 'lea', issuedAt: now, expiresAt: now + 60_000 });
}

for (const dialect of await dialects()) {
  describe(`the embed-link signing secret at rest (${dialect})`, () => {
    const clock = new ManualClock();
    const apps: TestApp[] = [];
    after(async () => {
      for (const t of apps) await t.close();
    });

    async function app(env: Record<string, string> = {}): Promise<TestApp> {
      const t = await createTestApp({ dialect, env, deps: { clock } });
      apps.push(t);
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
      await addMember(t.app.relais, 'acme', 'lea', 'owner');
      return t;
    }
    /** Another process on the same database, with its own configuration. */
    async function sameDatabase(t: TestApp, env: Record<string, string>) {
      const config = loadConfig({ RELAIS_PLATFORM_FROM: 'Platform <hello@platform.example>', RELAIS_LOG_LEVEL: 'silent', ...env });
      const other = await buildApp(config, { store: t.db.store, clock, logger: createLogger('silent') });
      try {
        await other.relais.embed.prepare();
      } catch (error) {
        await other.close();
        throw error;
      }
      return other;
    }
    const link = async (t: TestApp) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: 'acme', userId: 'lea' } });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as { token: string }).token;
    };
    const open = (app: TestApp['app'], token: string) => app.inject({ method: 'GET', url: `/embed?token=${encodeURIComponent(token)}` });

    test('the stored value is a sealed record under the current key; taken as the secret it forges nothing', async () => {
      const t = await app();
      await t.app.relais.embed.prepare();
      const stored = await storedValue(t.db.store);
      assert.equal(sealedKeyId(stored), KeyRing.fromBase64(t.config.secretKey ?? '').currentId);
      assert.ok(await open(t.app, await link(t)).then((r) => r.statusCode === 303), 'links work');
      // Whatever part of the record an attacker takes for the secret, the link is refused.
      for (const candidate of [stored, ...stored.split('.')]) {
        for (const encoding of ['base64', 'base64url', 'utf8'] as const) {
          const res = await open(t.app, forgedWith(Buffer.from(candidate, encoding), clock.now()));
          assert.equal(res.statusCode, 401, `forged with ${encoding} of ${candidate.slice(0, 12)}…`);
        }
      }
    });

    test('a secret an earlier version stored in clear is sealed at start-up; its links keep working', async () => {
      const t = await app();
      const clear = randomBytes(32).toString('base64');
      await t.db.store.db.deleteFrom('server_secrets').where('name', '=', NAME).execute();
      await t.db.store.db.insertInto('server_secrets').values({ name: NAME, value: clear, created_at: 0 }).execute();
      // A link the earlier version issued, before the upgrade.
      const before = forgedWith(Buffer.from(clear, 'base64'), clock.now());

      const restarted = await sameDatabase(t, { RELAIS_SECRET_KEY: t.config.secretKey ?? '' });
      try {
        const stored = await storedValue(t.db.store);
        assert.notEqual(stored, clear);
        assert.ok(!stored.includes(clear), 'the clear value is gone from the database');
        assert.ok(!stored.includes(Buffer.from(clear, 'base64').toString('hex')));
        assert.equal(sealedKeyId(stored), KeyRing.fromBase64(t.config.secretKey ?? '').currentId);
        assert.equal((await open(restarted, before)).statusCode, 303, 'the same secret signs, now sealed');
      } finally {
        await restarted.close();
      }
    });

    test('links signed before `rotate-secret` verify after it, in a process that has only the new key', async () => {
      const t = await app();
      const oldKey = t.config.secretKey ?? '';
      const token = await link(t);
      const newKey = generateSecretKey();

      const outcome = await rotateRelaySecrets({ secretKey: newKey, secretKeyPrevious: [oldKey], dataDir: tempDir(), database: { kind: dialect } }, t.db.store.db);
      assert.equal(outcome.ok, true, outcome.lines.join('\n'));
      assert.equal(outcome.serverSecrets.rewrapped, 1);
      assert.match(outcome.lines.join('\n'), /Server secrets \(embed-link signing key\): 1 in all, 1 re-wrapped/);
      assert.equal(sealedKeyId(await storedValue(t.db.store)), KeyRing.fromBase64(newKey).currentId);

      const restarted = await sameDatabase(t, { RELAIS_SECRET_KEY: newKey });
      try {
        assert.equal((await open(restarted, token)).statusCode, 303);
        // and the process that was running through the rotation still signs and verifies.
        assert.equal((await open(t.app, await link(t))).statusCode, 303);
      } finally {
        await restarted.close();
      }
    });

    test('a stored secret under a key the ring does not have stops start-up with the key to restore', async () => {
      const t = await app();
      await t.app.relais.embed.prepare();
      const stranger = await sameDatabase(t, { RELAIS_SECRET_KEY: generateSecretKey() }).then(
        () => assert.fail('started without the key that seals the signing secret'),
        (error: unknown) => error as { code?: string; message?: string },
      );
      assert.equal(stranger.code, 'secret_key_unknown');
      assert.match(stranger.message ?? '', /rotate-secret/);
    });
  });
}

describe('the embed-link signing secret in embedded mode (key file in the data dir)', () => {
  test('`rotate-secret` generates a new key file key, re-wraps the secret, and old links still verify', async () => {
    const dataDir = tempDir('relais-embed-keys-');
    const clock = new ManualClock();
    const env = { RELAIS_DATA_DIR: dataDir, RELAIS_SECRET_KEY: '' };
    const t = await createTestApp({ env, deps: { clock } });
    try {
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
      await addMember(t.app.relais, 'acme', 'lea', 'owner');
      const res = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: 'acme', userId: 'lea' } });
      const { token } = res.json() as { token: string };
      const before = sealedKeyId(await storedValue(t.db.store));

      const outcome = await rotateRelaySecrets({ secretKey: undefined, secretKeyPrevious: [], dataDir, database: { kind: 'sqlite' } }, t.db.store.db);
      assert.equal(outcome.ok, true, outcome.lines.join('\n'));
      assert.notEqual(sealedKeyId(await storedValue(t.db.store)), before);

      const config = loadConfig({ RELAIS_PLATFORM_FROM: 'Platform <hello@platform.example>', RELAIS_LOG_LEVEL: 'silent', ...env });
      const restarted = await buildApp(config, { store: t.db.store, clock, logger: createLogger('silent') });
      try {
        assert.equal((await restarted.inject({ method: 'GET', url: `/embed?token=${encodeURIComponent(token)}` })).statusCode, 303);
      } finally {
        await restarted.close();
      }
    } finally {
      await t.close();
    }
  });
});
