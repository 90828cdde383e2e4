// Temporary failures on an organization's relay, with a fake clock: each of 421, 450, 451 and
// 452 (at the stage real servers give them), then success → delivered through the relay after
// a retry at the scheduled time; a connection dropped in the middle of DATA → retried. None of
// them counts against the relay. Fixtures: relay 127.0.0.41:587, platform 127.0.0.42:2525.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../../test/support/databases.ts';
import type { Script, SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import { createOutboxTestApp, useRelayAndPlatform, eventsOf, messageOf, organizationWithRelay, relayOf, submit, withSubject, type OutboxTestApp } from '../../../test/support/relay-outbox.ts';

let relay: SmtpFixture;
let platform: SmtpFixture;

useRelayAndPlatform('127.0.0.41', '127.0.0.42', (started) => ({ relay, platform } = started));

/** One temporary failure, then normal behaviour; and the wait the retry policy (or the server's hint) sets. */
const TEMPORARY: { name: string; script: Script; retryAfterMs: number; errorCode: string }[] = [
  { name: '421 at the greeting', script: { connect: [{ code: 421, text: '4.7.0 Try again later, closing connection' }] }, retryAfterMs: 300_000, errorCode: 'rate-limited' },
  { name: '450 at RCPT', script: { rcpt: [{ code: 450, text: '4.2.1 Mailbox busy, try again later' }] }, retryAfterMs: 30_000, errorCode: 'temporary-failure' },
  { name: '451 after DATA', script: { data: [{ code: 451, text: '4.3.0 Error: queue file write error' }] }, retryAfterMs: 30_000, errorCode: 'temporary-failure' },
  { name: '452 at MAIL', script: { mail: [{ code: 452, text: '4.3.1 Insufficient system storage' }] }, retryAfterMs: 30_000, errorCode: 'temporary-failure' },
  { name: 'connection dropped mid-DATA', script: { data: ['drop'] }, retryAfterMs: 30_000, errorCode: 'connection-lost' },
];

for (const dialect of await dialects()) {
  describe(`temporary failures on the relay route (${dialect})`, () => {
    let t: OutboxTestApp;
    let n = 0;

    beforeEach(async () => {
      relay.setScript({});
      t = await createOutboxTestApp(dialect, platform);
      await organizationWithRelay(t, { id: 'lycee', fixture: relay });
    });
    afterEach(async () => {
      await t.close();
    });

    for (const failure of TEMPORARY) {
      test(`${failure.name}, then success → delivered through the relay at the retry`, async () => {
        relay.setScript(failure.script);
        const message = await submit(t, 'lycee', `Convocation ${dialect} #${++n}`);
        await t.app.relais.dispatcher.runOnce();

        const deferred = await messageOf(t, 'lycee', message.id);
        assert.equal(deferred.status, 'deferred', JSON.stringify(deferred));
        assert.equal(deferred.lastErrorCode, failure.errorCode);
        assert.equal(Date.parse(deferred.nextAttemptAt), t.clock.now() + failure.retryAfterMs);
        assert.equal(withSubject(relay, message.subject).length, 0);

        t.clock.advance(failure.retryAfterMs - 1);
        assert.equal(await t.app.relais.dispatcher.runOnce(), 0, 'not before its time');
        t.clock.advance(1);
        await t.app.relais.dispatcher.runOnce();

        const sent = await messageOf(t, 'lycee', message.id);
        assert.equal(sent.status, 'sent', JSON.stringify(sent));
        assert.equal(sent.route, 'relay');
        assert.deepEqual(
          sent.history.map((a: { route: string; outcome: string }) => `${a.route}:${a.outcome}`),
          ['relay:deferred', 'relay:sent'],
        );
        const arrived = withSubject(relay, message.subject);
        assert.equal(arrived.length, 1, 'delivered once');
        assert.equal(arrived[0]?.parsed.messageId, sent.messageId, 'the retry carries the same Message-ID');
        assert.deepEqual(
          (await eventsOf(t, 'lycee')).filter((e) => e.messageId === message.id).map((e) => e.type),
          ['message.deferred', 'message.sent'],
        );
        const state = await relayOf(t, 'lycee');
        assert.equal(state.status, 'active');
        assert.equal(state.failure, null, 'a temporary failure does not count against the relay');
      });
    }
  });
}
