// Relay passwords at rest: sealed, bound to their row, and rotated without a moment where a
// record cannot be opened. Fixture on 127.0.0.20.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { dialects, tempDir } from '../../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import { createOrganization, createRelayTestApp, leakForms, relayBody, SAVED_RELAY_SETTINGS, type RelayTestApp } from '../../../test/support/relays.ts';
import { systemClock } from '../../clock.ts';
import { sealedKeyId } from '../../secrets/envelope.ts';
import { keyFilePath, loadOrCreateKeyFile } from '../../secrets/key-file.ts';
import { fixedSecretKeys, secretKeysFromConfig } from '../../secrets/key-source.ts';
import { generateSecretKey, KeyRing } from '../../secrets/key-ring.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { openStore, type Store } from '../../store/store.ts';
import { OrganizationService } from '../../tenants/organization.service.ts';
import { findRelayByOrganization } from './relay.repository.ts';
import { RelayService } from './relay.service.ts';
import type { SecretKeys } from '../../secrets/key-source.ts';
import { rewrapRelaySecrets, rotateRelaySecrets } from './secret-rotation.ts';

const run = promisify(execFile);
const PASSWORD = 'At-rest/p4ss+word=';
const CONNECTION = { allowedPorts: [587], allowPrivate: true };

function service(store: Store, secrets: SecretKeys): RelayService {
  return new RelayService({ db: store.db, clock: systemClock, secrets, connection: CONNECTION });
}

const ACTOR = { kind: 'system', name: 'tests' } as const;
const SETTINGS = SAVED_RELAY_SETTINGS;

async function addOrganization(store: Store, id: string): Promise<void> {
  const organizations = new OrganizationService(store.db, systemClock);
  await organizations.create({ id, name: id });
  await organizations.update(id, { features: { customSmtp: true } });
}

for (const dialect of await dialects()) {
  describe(`relay passwords at rest (${dialect})`, () => {
    let fixture: SmtpFixture;
    let t: RelayTestApp;

    before(async () => {
      fixture = await startSmtpFixture({ host: '127.0.0.20', port: 587, auth: { username: 'formation@school.test', password: PASSWORD } });
      t = await createRelayTestApp({ dialect, env: { RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true' } });
      for (const org of ['alpha', 'beta']) {
        await createOrganization(t, org);
        const res = await t.app.inject({
          method: 'PUT',
          url: `/v1/organizations/${org}/smtp-relay`,
          headers: t.auth,
          payload: relayBody({ host: '127.0.0.20', password: org === 'alpha' ? PASSWORD : 'beta-password-x' }),
        });
        assert.equal(res.statusCode, 201, res.body);
      }
    });
    after(async () => {
      await t.close();
      await fixture.close();
    });

    test('the stored column is a sealed record, not the password in any form', async () => {
      const row = await t.db.store.db.selectFrom('smtp_relays').select(['password_sealed']).where('organization_id', '=', 'alpha').executeTakeFirstOrThrow();
      assert.match(row.password_sealed, /^v1\.[0-9a-f]{16}\./);
      assert.equal(sealedKeyId(row.password_sealed), KeyRing.fromBase64(t.secretKey).currentId);
      for (const form of leakForms(PASSWORD)) assert.ok(!row.password_sealed.includes(form));
      // The same password sealed twice never gives the same text (fresh data key and IV).
      const beta = await t.db.store.db.selectFrom('smtp_relays').select(['password_sealed']).where('organization_id', '=', 'beta').executeTakeFirstOrThrow();
      assert.notEqual(beta.password_sealed, row.password_sealed);
    });

    test("a ciphertext copied to another organization's row does not open, and nothing is sent with it", async () => {
      const alpha = await t.db.store.db.selectFrom('smtp_relays').select(['password_sealed']).where('organization_id', '=', 'alpha').executeTakeFirstOrThrow();
      await t.db.store.db.updateTable('smtp_relays').set({ password_sealed: alpha.password_sealed }).where('organization_id', '=', 'beta').execute();
      const beta = await findRelayByOrganization(t.db.store.db, 'beta');
      assert.ok(beta);
      assert.throws(() => t.app.relais.relays.openPassword(beta), { code: 'secret_unreadable' });
      const connections = fixture.connections;
      const res = await t.app.inject({ method: 'POST', url: '/v1/organizations/beta/smtp-relay/verify', headers: t.auth });
      assert.equal(res.statusCode, 422);
      assert.equal(res.json().error.code, 'secret_unreadable');
      assert.equal(fixture.connections, connections, 'no connection was made with a secret that does not belong to the relay');
      // Alpha's own record still opens and authenticates.
      const ok = await t.app.inject({ method: 'POST', url: '/v1/organizations/alpha/smtp-relay/verify', headers: t.auth });
      assert.equal(ok.json().passed, true, ok.body);
    });

    test('rotation with RELAIS_SECRET_KEY: old records open mid-rotation, every record ends under the new key', async () => {
      const store = t.db.store;
      const oldKey = t.secretKey;
      const newKey = generateSecretKey();
      const oldRing = KeyRing.fromBase64(oldKey);
      const midRing = KeyRing.fromBase64(newKey, [oldKey]);
      const newRing = KeyRing.fromBase64(newKey);
      const mid = service(store, fixedSecretKeys(midRing));

      // Processes restarted with the new key and the old one as previous: old records still open,
      await addOrganization(store, 'gamma');
      const alpha = await findRelayByOrganization(store.db, 'alpha');
      assert.ok(alpha);
      assert.equal(mid.openPassword(alpha), PASSWORD);
      // and new ones are sealed under the new key.
      await mid.save('gamma', { ...SETTINGS, password: 'gamma-password' }, ACTOR);
      const gamma = await findRelayByOrganization(store.db, 'gamma');
      assert.ok(gamma);
      assert.equal(sealedKeyId(gamma.sealedPassword), newRing.currentId);

      const outcome = await rotateRelaySecrets({ secretKey: newKey, secretKeyPrevious: [oldKey], dataDir: tempDir(), database: { kind: dialect } }, store.db);
      assert.equal(outcome.ok, true, outcome.lines.join('\n'));
      assert.equal(outcome.report.total, 3);
      // alpha and beta (beta holds a copy of alpha's record: its data key re-wraps, its data still only opens as alpha's).
      assert.equal(outcome.report.rewrapped, 2);
      assert.equal(outcome.report.alreadyCurrent, 1);
      assert.match(outcome.lines.join('\n'), /Remove RELAIS_SECRET_KEY_PREVIOUS/);

      const after = service(store, fixedSecretKeys(newRing));
      const alphaAfter = await findRelayByOrganization(store.db, 'alpha');
      assert.ok(alphaAfter);
      assert.equal(sealedKeyId(alphaAfter.sealedPassword), newRing.currentId);
      assert.equal(after.openPassword(alphaAfter), PASSWORD, 'opens with the new key alone');
      assert.equal(after.openPassword(gamma), 'gamma-password');
      assert.throws(() => service(store, fixedSecretKeys(oldRing)).openPassword(alphaAfter), { code: 'secret_key_unknown' });
    });

    test('a record under a key that is not in the ring is reported, and the command fails', async () => {
      const stray = service(t.db.store, fixedSecretKeys(KeyRing.fromBase64(generateSecretKey())));
      await addOrganization(t.db.store, 'delta');
      await stray.save('delta', { ...SETTINGS, password: 'delta-password' }, ACTOR);
      const report = await rewrapRelaySecrets(t.db.store.db, KeyRing.fromBase64(generateSecretKey()));
      assert.ok(report.failed.some((f) => f.organizationId === 'delta' && f.code === 'secret_key_unknown'));
    });
  });
}

describe('rotation in embedded mode (key file in the data dir)', () => {
  let dataDir: string;
  let store: Store;

  before(async () => {
    dataDir = tempDir('relais-rotation-');
    store = openStore({ kind: 'sqlite', file: path.join(dataDir, 'relais.db') });
    await migrateToLatest(store);
    await addOrganization(store, 'school');
  });
  after(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const config = () => ({ secretKey: undefined, secretKeyPrevious: [], dataDir, database: { kind: 'sqlite' as const } });

  test('the key file is created with mode 0600 on first use, and seals the password', async () => {
    const running = service(store, secretKeysFromConfig(config()));
    await running.save('school', { ...SETTINGS, password: PASSWORD }, ACTOR);
    assert.equal(fs.statSync(keyFilePath(dataDir)).mode & 0o777, 0o600);
    const relay = await findRelayByOrganization(store.db, 'school');
    assert.ok(relay);
    assert.equal(sealedKeyId(relay.sealedPassword), KeyRing.fromBase64(loadOrCreateKeyFile(dataDir).current).currentId);
  });

  test('rotate-secret: new key, every record re-wrapped, previous keys dropped; a running process keeps opening them', async () => {
    const running = service(store, secretKeysFromConfig(config()));
    const before = await findRelayByOrganization(store.db, 'school');
    assert.ok(before);
    assert.equal(running.openPassword(before), PASSWORD);
    const oldId = sealedKeyId(before.sealedPassword);

    const outcome = await rotateRelaySecrets(config(), store.db);
    assert.equal(outcome.ok, true, outcome.lines.join('\n'));
    assert.equal(outcome.report.rewrapped, 1);
    const file = loadOrCreateKeyFile(dataDir);
    assert.deepEqual(file.previous, []);
    const newId = KeyRing.fromBase64(file.current).currentId;
    assert.notEqual(newId, oldId);

    const after = await findRelayByOrganization(store.db, 'school');
    assert.ok(after);
    assert.equal(sealedKeyId(after.sealedPassword), newId);
    // The running process had cached the old ring: it re-reads the key file for the new key.
    assert.equal(running.openPassword(after), PASSWORD);
    // And seals new passwords under the new key at once.
    await running.save('school', { ...SETTINGS, password: 'changed-password' }, ACTOR);
    const resealed = await findRelayByOrganization(store.db, 'school');
    assert.equal(sealedKeyId(resealed?.sealedPassword ?? ''), newId);
  });

  test('the CLI: `relais keys rotate-secret` rotates the data dir key', async () => {
    const beforeKey = loadOrCreateKeyFile(dataDir).current;
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('RELAIS_')));
    const env = { ...inherited, RELAIS_DATA_DIR: dataDir, RELAIS_LOG_LEVEL: 'silent' };
    const { stdout } = await run(process.execPath, [path.resolve('bin/relais.mjs'), 'keys', 'rotate-secret'], { env });
    assert.match(stdout, /New secret key [0-9a-f]{16}/);
    assert.match(stdout, /1 in all, 1 re-wrapped/);
    assert.match(stdout, /Previous keys removed/);
    const file = loadOrCreateKeyFile(dataDir);
    assert.notEqual(file.current, beforeKey);
    assert.ok(!stdout.includes(file.current) && !stdout.includes(beforeKey), 'keys are never printed');
    const relay = await findRelayByOrganization(store.db, 'school');
    assert.ok(relay);
    assert.equal(service(store, fixedSecretKeys(KeyRing.fromBase64(file.current))).openPassword(relay), 'changed-password');
  });
});
