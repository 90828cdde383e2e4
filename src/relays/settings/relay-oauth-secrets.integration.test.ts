// OAuth2 application secrets at rest: sealed as passwords are, under their own purpose (a
// client secret never opens as a password), and re-wrapped by a key rotation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, dialects } from '../../../test/support/databases.ts';
import { newServiceAccount } from '../../../test/support/token-server.ts';
import { systemClock } from '../../clock.ts';
import { fixedSecretKeys, type SecretKeys } from '../../secrets/key-source.ts';
import { generateSecretKey, KeyRing } from '../../secrets/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { OAuthTokenCache } from '../../smtp/oauth/token-cache.ts';
import { OrganizationService } from '../../tenants/organization.service.ts';
import { findRelayByOrganization } from './relay.repository.ts';
import { RelayService } from './relay.service.ts';
import { SAVED_RELAY_SETTINGS } from '../../../test/support/relays.ts';
import { rewrapRelaySecrets } from './secret-rotation.ts';
import { SMTP_PASSWORD_PURPOSE } from '../relay.ts';

const CLIENT_SECRET = 'Qx8~client.secret-VALUE_1';
const ACTOR = { kind: 'system', name: 'tests' } as const;
const BASE = { ...SAVED_RELAY_SETTINGS, preset: 'microsoft-365' as const, host: '127.0.0.97' };
const MICROSOFT = { type: 'oauth2-microsoft' as const, tenantId: 'contoso.onmicrosoft.com', clientId: '00001111-aaaa-2222-bbbb-3333cccc4444', clientSecretExpiresAt: null };

function service(store: Store, secrets: SecretKeys): RelayService {
  return new RelayService({
    db: store.db,
    clock: systemClock,
    secrets,
    connection: { allowedPorts: [587], allowPrivate: true },
    oauth: { microsoftAuthority: 'http://127.0.0.1:9', googleTokenUrl: 'http://127.0.0.1:9/token', tokens: new OAuthTokenCache(systemClock) },
  });
}

for (const dialect of await dialects()) {
  describe(`OAuth2 secrets at rest (${dialect})`, () => {
    test('a client secret and a private key are sealed under their own purposes and re-wrapped by a rotation', async () => {
      const db = await createTestDatabase(dialect);
      try {
        for (const id of ['ms', 'google']) await new OrganizationService(db.store.db, systemClock).create({ id, name: id, locale: 'fr' });
        const oldKey = generateSecretKey();
        const newKey = generateSecretKey();
        const before = service(db.store, fixedSecretKeys(KeyRing.fromBase64(oldKey)));
        await before.save('ms', { ...BASE, auth: MICROSOFT, password: CLIENT_SECRET }, ACTOR);
        const account = newServiceAccount();
        const google = { type: 'oauth2-google' as const, clientEmail: account.clientEmail, clientId: account.clientId, privateKeyId: account.privateKeyId };
        await before.save('google', { ...BASE, preset: 'google-workspace', auth: google, password: account.privateKeyPem }, ACTOR);

        const ms = await findRelayByOrganization(db.store.db, 'ms');
        assert.ok(ms && ms.auth.type === 'oauth2-microsoft');
        assert.ok(!ms.sealedPassword.includes(CLIENT_SECRET));
        // Bound to its purpose: the sealed client secret does not open as an SMTP password.
        const ring = fixedSecretKeys(KeyRing.fromBase64(oldKey));
        assert.throws(() => ring.open(ms.sealedPassword, { organizationId: 'ms', relayId: ms.id, purpose: SMTP_PASSWORD_PURPOSE }));

        const report = await rewrapRelaySecrets(db.store.db, KeyRing.fromBase64(newKey, [oldKey]));
        assert.equal(report.rewrapped, 2);
        const after = service(db.store, fixedSecretKeys(KeyRing.fromBase64(newKey)));
        assert.equal(after.openPassword((await findRelayByOrganization(db.store.db, 'ms'))!), CLIENT_SECRET);
        assert.equal(after.openPassword((await findRelayByOrganization(db.store.db, 'google'))!), account.privateKeyPem);
      } finally {
        await db.drop();
      }
    });
  });
}
