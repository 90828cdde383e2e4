// A connected mailbox's access token from its refresh token (connected-refresh.ts), against the
// local OpenID provider that rotates refresh tokens (test/support/connect-provider.ts): two
// refreshes of one relay at the same time never spend the same token, the rotated token is the
// one kept, and the database is not held while the provider answers; a callback that cannot be
// saved still ends on the settings page with a code. The provider's server (smtp.office365.com)
// resolves to 127.0.0.123 (smtp.gmail.com does not resolve); no SMTP connection is made.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startConnectProvider, type ConnectProvider } from '../../../test/support/connect-provider.ts';
import { dialects } from '../../../test/support/databases.ts';
import { createOrganization, createRelayTestApp, fakeResolver, type RelayTestApp } from '../../../test/support/relays.ts';
import { systemClock } from '../../clock.ts';

const MICROSOFT = { clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'ms~platform.secret-value' };
const GOOGLE = { clientId: '123-abc.apps.googleusercontent.com', clientSecret: 'GOCSPX-platform-secret' };

let provider: ConnectProvider;
before(async () => {
  provider = await startConnectProvider({ clock: systemClock, microsoft: MICROSOFT, google: GOOGLE });
});
after(async () => {
  await provider.close();
});

/** The provider's consent, as a browser follows it: its redirect back to Relais. */
function consentAt(authorizationUrl: string): Promise<URL> {
  return new Promise((resolve, reject) => {
    http
      .get(authorizationUrl, (res) => {
        res.resume();
        if (res.statusCode !== 302 || !res.headers.location) return reject(new Error(`provider answered ${res.statusCode}`));
        resolve(new URL(res.headers.location));
      })
      .on('error', reject);
  });
}

for (const dialect of await dialects()) {
  describe(`connected mailbox token refresh (${dialect})`, () => {
    let t: RelayTestApp;

    before(async () => {
      t = await createRelayTestApp({
        dialect,
        resolver: fakeResolver({ 'smtp.office365.com': '127.0.0.123' }),
        env: {
          RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
          RELAIS_PUBLIC_URL: 'https://relais.example.com',
          RELAIS_OAUTH_MICROSOFT_AUTHORITY: provider.microsoftAuthority,
          RELAIS_OAUTH_MICROSOFT_CLIENT_ID: MICROSOFT.clientId,
          RELAIS_OAUTH_MICROSOFT_CLIENT_SECRET: MICROSOFT.clientSecret,
          RELAIS_OAUTH_GOOGLE_CLIENT_ID: GOOGLE.clientId,
          RELAIS_OAUTH_GOOGLE_CLIENT_SECRET: GOOGLE.clientSecret,
          RELAIS_OAUTH_GOOGLE_AUTHORIZATION_URL: provider.google.authorizationUrl,
          RELAIS_OAUTH_GOOGLE_TOKEN_URL: provider.google.tokenUrl,
          RELAIS_OAUTH_GOOGLE_JWKS_URL: provider.google.jwksUrl,
        },
      });
    });
    after(async () => {
      await t.close();
    });

    /** Connects `mailbox` for `org` through the provider (platform key) and answers the saved relay. */
    async function connected(org: string, mailbox: string) {
      await createOrganization(t, org);
      provider.signInAs = mailbox;
      const started = await t.app.inject({ method: 'POST', url: `/v1/organizations/${org}/smtp-relay/connect`, headers: t.auth, payload: { provider: 'microsoft' } });
      assert.equal(started.statusCode, 200, started.body);
      const back = await consentAt(started.json().authorizationUrl);
      const res = await t.app.inject({ method: 'GET', url: `/oauth/callback${back.search}` });
      assert.equal(res.headers.location, '/settings/emails/smtp?connect=connected');
      provider.signInAs = undefined;
      return t.app.relais.relays.get(org);
    }

    test('two refreshes of one relay at once both get a token, neither spends a spent token, and the last rotated token is the one stored', async () => {
      const relay = await connected('twice', 'twice@school.test');
      const refused = () => provider.tokenRequests.filter((r) => !r.ok).length;
      const refusedBefore = refused();
      const [a, b] = await Promise.all([t.app.relais.relays.refreshConnected(relay), t.app.relais.relays.refreshConnected(relay)]);
      assert.ok(a.token && b.token);
      assert.equal(refused(), refusedBefore, 'no refresh token was used twice');
      const stored = t.app.relais.relays.openPassword(await t.app.relais.relays.get('twice'));
      assert.ok(provider.refreshTokens().includes(stored), 'the stored token is the valid, rotated one');
      // And it works: the next refresh succeeds.
      await t.app.relais.relays.refreshConnected(relay);
      assert.equal(refused(), refusedBefore);
    });

    test('the database answers while the token endpoint is slow: the refresh does not hold it', async () => {
      const relay = await connected('slow', 'slow@school.test');
      const hold = provider.holdTokenAnswers();
      const refreshing = t.app.relais.relays.refreshConnected(relay);
      try {
        await hold.arrived;
        const read = t.app.inject({ method: 'GET', url: '/v1/organizations/slow/smtp-relay', headers: t.auth });
        const timedOut = new Promise<'held'>((resolve) => setTimeout(() => resolve('held'), 3000).unref());
        const answer = await Promise.race([read, timedOut]);
        assert.notEqual(answer, 'held', 'a read waited for the provider to answer');
        assert.equal(answer === 'held' ? 0 : answer.statusCode, 200);
      } finally {
        hold.release();
      }
      assert.ok((await refreshing).token);
      const stored = t.app.relais.relays.openPassword(await t.app.relais.relays.get('slow'));
      assert.ok(provider.refreshTokens().includes(stored));
    });

    test('a callback that cannot be saved (here the provider server does not resolve) comes back as oauth_connect_failed, never a raw error', async () => {
      await createOrganization(t, 'unsaved');
      provider.signInAs = 'someone@gmail.test';
      const started = await t.app.inject({ method: 'POST', url: '/v1/organizations/unsaved/smtp-relay/connect', headers: t.auth, payload: { provider: 'google' } });
      const back = await consentAt(started.json().authorizationUrl);
      provider.signInAs = undefined;
      const res = await t.app.inject({ method: 'GET', url: `/oauth/callback${back.search}` });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, '/settings/emails/smtp?connect_error=oauth_connect_failed');
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/organizations/unsaved/smtp-relay', headers: t.auth })).statusCode, 404);
    });
  });
}
