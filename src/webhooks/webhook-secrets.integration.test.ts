// Webhook signing secrets at rest: sealed with the key ring (never stored in clear), and
// re-wrapped by `relais keys rotate-secret` so they still sign after the old key is gone.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { rotateRelaySecrets } from '../relays/settings/secret-rotation.ts';
import { sealedKeyId } from '../secrets/envelope.ts';
import { generateSecretKey, KeyRing } from '../secrets/key-ring.ts';
import { fixedSecretKeys } from '../secrets/key-source.ts';
import { createTestDatabase, dialects, tempDir, type TestDatabase } from '../../test/support/databases.ts';
import { findEndpoint } from './webhook-endpoint.repository.ts';
import { WebhookEndpointService } from './webhook-endpoint.service.ts';

for (const dialect of await dialects()) {
  describe(`webhook signing secrets at rest (${dialect})`, () => {
    let db: TestDatabase;
    const clock = new ManualClock(Date.now());
    const service = (ring: KeyRing) =>
      new WebhookEndpointService({ db: db.store.db, clock, secrets: fixedSecretKeys(ring), guard: { allowPrivate: true }, onQueued: () => {} });

    beforeEach(async () => {
      db = await createTestDatabase(dialect);
    });
    afterEach(() => db.drop());

    test('sealed, never in clear; a key rotation re-wraps the current and the previous secret', async () => {
      const oldKey = generateSecretKey();
      const newKey = generateSecretKey();
      const oldRing = KeyRing.fromBase64(oldKey);
      const before = service(oldRing);
      const { endpoint, secret: first } = await before.create({ url: 'http://127.0.0.1:9/hooks' });
      const { secret: second } = await before.rotateSecret(endpoint.id);
      const rows = await db.store.db.selectFrom('webhook_endpoints').selectAll().execute();
      const dump = JSON.stringify(rows);
      for (const s of [first, second]) {
        assert.equal(dump.includes(s), false);
        assert.equal(dump.includes(s.slice('whsec_'.length)), false);
      }

      const outcome = await rotateRelaySecrets({ secretKey: newKey, secretKeyPrevious: [oldKey], dataDir: tempDir(), database: { kind: dialect } }, db.store.db);
      assert.equal(outcome.ok, true, outcome.lines.join('\n'));
      assert.deepEqual(outcome.webhookSecrets, { total: 2, rewrapped: 2, failed: [] });
      assert.match(outcome.lines.join('\n'), /Webhook signing secrets: 2 in all, 2 re-wrapped/);

      const newRing = KeyRing.fromBase64(newKey);
      const sealed = await findEndpoint(db.store.db, endpoint.id);
      assert.ok(sealed);
      assert.equal(sealedKeyId(sealed.sealedSecret), newRing.currentId);
      assert.deepEqual(service(newRing).signingSecrets(sealed, clock.now()), [second, first], 'the new key alone opens both');
    });
  });
}
