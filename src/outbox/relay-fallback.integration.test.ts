// One message refused by its relay for a relay-level reason, on a real clock: with
// `fallback` it leaves through the platform sender within seconds (not after the retry
// backoff that used to run until three failures made the relay `failing`); with `hold` it
// waits for the normal retry through the relay, as does a temporary reply about the message
// whatever the policy. Fixtures: relay 127.0.0.79:587, platform 127.0.0.80:2525.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../test/support/databases.ts';
import { createRelayTestApp, type RelayTestApp } from '../../test/support/relays.ts';
import { PLATFORM_CREDENTIALS, messageOf, organizationWithRelay, relayOf, startRelayAndPlatform, submit, withSubject } from '../../test/support/relay-outbox.ts';
import type { SmtpFixture } from '../../test/support/smtp-fixture.ts';

const AUTH_REFUSED = { code: 535, text: '5.7.8 Authentication credentials invalid' };

let relay: SmtpFixture;
let platform: SmtpFixture;

before(async () => {
  ({ relay, platform } = await startRelayAndPlatform('127.0.0.79', '127.0.0.80', { auth: () => AUTH_REFUSED }));
});
after(async () => {
  await Promise.all([relay.close(), platform.close()]);
});

for (const dialect of await dialects()) {
  describe(`a relay-level refusal on a real clock (${dialect})`, () => {
    let t: RelayTestApp;

    beforeEach(async () => {
      t = await createRelayTestApp({
        dialect,
        env: {
          RELAIS_LOG_LEVEL: 'silent',
          RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
          RELAIS_PLATFORM_SMTP_URL: `smtp://${PLATFORM_CREDENTIALS.username}:${PLATFORM_CREDENTIALS.password}@${platform.host}:${platform.port}?starttls=never`,
          RELAIS_SHUTDOWN_GRACE_SECONDS: '0',
        },
      });
    });
    afterEach(async () => {
      await t.close();
    });

    test('fallback: the one refused message reaches the platform sender within 10 s, the organization as Reply-To; the relay counts one failure', async () => {
      const orgId = `cfa-${dialect}`;
      await organizationWithRelay(t, { id: orgId, fixture: relay, relay: { fallbackPolicy: 'fallback' } });
      t.app.relais.dispatcher.start();
      const delivered = platform.messages.length;
      const acceptedAt = Date.now();
      const { id, subject } = await submit(t, orgId, `Feuille de présence ${dialect}`);
      await platform.waitForMessages(delivered + 1, 10_000);
      const elapsed = Date.now() - acceptedAt;
      assert.ok(elapsed < 10_000, `reached the platform sender after ${elapsed} ms`);
      const [mail] = withSubject(platform, subject);
      assert.ok(mail, 'delivered through the platform sender');
      assert.equal(mail.parsed.replyTo?.value[0]?.address, `formation@${orgId}.test`);

      await t.app.relais.dispatcher.whenIdle();
      const message = await messageOf(t, orgId, id);
      assert.deepEqual(
        { status: message.status, route: message.route, history: message.history.map((a: { route: string; errorCode: string | null }) => [a.route, a.errorCode]) },
        { status: 'sent', route: 'fallback', history: [['relay', 'auth-failed'], ['fallback', null]] },
      );
      const state = await relayOf(t, orgId);
      assert.equal(state.status, 'active', 'one failure does not make the relay failing');
      console.log(`# ${dialect}: one message refused with 535 by a fallback relay reached the platform sender ${elapsed} ms after it was accepted`);
    });

    test('fallback: a temporary reply about the message (451 after DATA) keeps the normal retry through the relay', async () => {
      const orgId = `cfpa-${dialect}`;
      await organizationWithRelay(t, { id: orgId, fixture: relay, relay: { fallbackPolicy: 'fallback' } });
      relay.setScript({ data: () => ({ code: 451, text: '4.3.0 Temporary local problem, try again' }) });
      try {
        const delivered = platform.messages.length;
        const idle = t.app.relais.dispatcher.whenIdle();
        t.app.relais.dispatcher.start();
        await idle;
        const { id } = await submit(t, orgId, `Attestation ${dialect}`);
        let message = await messageOf(t, orgId, id);
        for (let i = 0; i < 3 && (message.status === 'queued' || message.status === 'sending'); i += 1) {
          await t.app.relais.dispatcher.whenIdle();
          message = await messageOf(t, orgId, id);
        }
        assert.deepEqual({ status: message.status, route: message.route, lastErrorCode: message.lastErrorCode }, { status: 'deferred', route: 'relay', lastErrorCode: 'temporary-failure' });
        assert.ok(Date.parse(message.nextAttemptAt) - Date.now() > 20_000, `retried through the relay at ${message.nextAttemptAt}, after backoff`);
        assert.equal(platform.messages.length, delivered, 'nothing through the platform sender');
      } finally {
        relay.setScript({ auth: () => AUTH_REFUSED });
      }
    });

    test('hold: the refused message is not sent through the platform sender; it waits for the normal retry through the relay', async () => {
      const orgId = `ifsi-${dialect}`;
      await organizationWithRelay(t, { id: orgId, fixture: relay, relay: { fallbackPolicy: 'hold' } });
      const delivered = platform.messages.length;
      const idle = t.app.relais.dispatcher.whenIdle();
      t.app.relais.dispatcher.start();
      await idle;
      const { id, subject } = await submit(t, orgId, `Convocation ${dialect}`);
      let message = await messageOf(t, orgId, id);
      for (let i = 0; i < 3 && (message.status === 'queued' || message.status === 'sending'); i += 1) {
        await t.app.relais.dispatcher.whenIdle();
        message = await messageOf(t, orgId, id);
      }
      assert.equal(message.status, 'deferred');
      assert.equal(message.lastErrorCode, 'auth-failed');
      assert.ok(Date.parse(message.nextAttemptAt) - Date.now() > 20_000, `retried through the relay at ${message.nextAttemptAt}, after backoff`);
      assert.equal(withSubject(platform, subject).length, 0);
      assert.equal(platform.messages.length, delivered);
    });
  });
}
