// Relay health with real SMTP servers and a fake clock: a relay that refuses its credentials
// becomes `failing` after three failures in a row; owners get one email through the platform
// sender, in the organization's language; mail falls back to the platform sender (Reply-To:
// the organization) or is held; a probe that passes brings the relay back, owners are told,
// held mail leaves through the relay. Fixtures: relay 127.0.0.43:587, platform 127.0.0.44:2525.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../../test/support/databases.ts';
import type { SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import { createOutboxTestApp, useRelayAndPlatform, eventsOf, mailTo, messageOf, organizationWithRelay, relayOf, submit, withSubject, type OutboxTestApp } from '../../../test/support/relay-outbox.ts';

const AUTH_REFUSED = { code: 535, text: '5.7.8 Username and Password not accepted' } as const;
const SEND_AS_DENIED = { code: 550, text: '5.7.60 SMTP; Client does not have permissions to send as this sender' } as const;

let relay: SmtpFixture;
let platform: SmtpFixture;

useRelayAndPlatform('127.0.0.43', '127.0.0.44', (started) => ({ relay, platform } = started));

for (const dialect of await dialects()) {
  describe(`relay health (${dialect})`, () => {
    let t: OutboxTestApp;
    let n = 0;
    const subject = (what: string) => `${what} ${dialect} #${++n}`;
    const dispatch = () => t.app.relais.dispatcher.runOnce();

    beforeEach(async () => {
      relay.setScript({});
      relay.messages.length = 0;
      platform.messages.length = 0;
      t = await createOutboxTestApp(dialect, platform);
    });
    afterEach(async () => {
      await t.close();
    });

    /** Three messages refused at AUTH: the relay is failing once they have been tried. */
    async function breakRelay(orgId: string, reply: typeof AUTH_REFUSED | typeof SEND_AS_DENIED = AUTH_REFUSED) {
      relay.setScript(reply === AUTH_REFUSED ? { auth: () => reply } : { data: () => reply });
      const sent = [await submit(t, orgId, subject('Convocation')), await submit(t, orgId, subject('Rappel')), await submit(t, orgId, subject('Attestation'))];
      await dispatch();
      return sent;
    }

    test('535 → failing after three failures; one alert in French; mail falls back with the organization as Reply-To; a passed probe brings the relay back', async () => {
      await organizationWithRelay(t, { id: 'lycee', locale: 'fr', fixture: relay, relay: { fallbackPolicy: 'fallback', replyTo: 'secretariat@lycee.test' } });
      const messages = await breakRelay('lycee');

      const state = await relayOf(t, 'lycee');
      assert.equal(state.status, 'failing');
      assert.equal(state.failure.errorCode, 'auth-failed');
      assert.equal(state.failure.reply, '535 5.7.8 Username and Password not accepted');
      assert.ok(state.failure.since);
      assert.ok(state.failure.explanation.fix.length > 0, 'the status card has the steps that fix it');

      // The three messages were retried at once through the platform sender, as the organization.
      for (const m of messages) {
        const record = await messageOf(t, 'lycee', m.id);
        assert.equal(record.status, 'sent', JSON.stringify(record));
        assert.equal(record.route, 'fallback');
        const [mail] = withSubject(platform, m.subject);
        assert.ok(mail, `${m.subject} arrived through the platform sender`);
        assert.equal(mail.envelope.from, 'hello@platform.example');
        assert.equal(mail.parsed.replyTo?.value[0]?.address, 'secretariat@lycee.test');
        assert.equal(mail.parsed.replyTo?.value[0]?.name, 'Formation lycee');
        assert.deepEqual(withSubject(relay, m.subject), []);
        assert.deepEqual(
          record.history.map((a: { route: string; outcome: string }) => `${a.route}:${a.outcome}`),
          ['relay:deferred', 'fallback:sent'],
        );
      }

      // One alert, to the owner only, through the platform sender, in French, with the fix and the settings link.
      const alerts = mailTo(platform, 'owner@lycee.test');
      assert.equal(alerts.length, 1);
      const [alert] = alerts;
      assert.ok(alert);
      assert.deepEqual(mailTo(platform, 'admin@lycee.test'), []);
      assert.match(alert.parsed.subject ?? '', /^Votre serveur d'envoi ne fonctionne plus/);
      assert.match(alert.parsed.text ?? '', /Pour corriger :\n1\. /);
      assert.match(alert.parsed.text ?? '', /Réponse du serveur : 535 5\.7\.8 Username and Password not accepted/);
      assert.match(alert.parsed.text ?? '', /depuis l'adresse de la plateforme/);
      assert.match(alert.parsed.text ?? '', /https:\/\/relais\.example\.test\/settings\/emails/);
      assert.equal(alert.envelope.from, 'hello@platform.example');
      assert.equal(relay.messages.length, 0, 'nothing reached the broken relay');

      const failing = await eventsOf(t, 'lycee', 'relay.failing');
      assert.equal(failing.length, 1);
      assert.equal(failing[0]?.data.errorCode, 'auth-failed');

      // More mail while failing: straight through the platform sender, no second alert, no attempt on the relay.
      const later = await submit(t, 'lycee', subject('Pendant la panne'));
      await dispatch();
      assert.equal((await messageOf(t, 'lycee', later.id)).route, 'fallback');
      assert.equal(mailTo(platform, 'owner@lycee.test').length, 1, 'owners are alerted once per incident');

      // Still broken at the first probe: it stays failing, quietly.
      t.clock.advance(60_000);
      await dispatch();
      assert.equal((await relayOf(t, 'lycee')).status, 'failing');
      assert.equal(mailTo(platform, 'owner@lycee.test').length, 1);

      // Fixed: the next probe (backoff: two minutes later) passes.
      relay.setScript({});
      t.clock.advance(119_000);
      await dispatch();
      assert.equal((await relayOf(t, 'lycee')).status, 'failing', 'not before the probe is due');
      t.clock.advance(1_000);
      await dispatch();
      const back = await relayOf(t, 'lycee');
      assert.equal(back.status, 'active');
      assert.equal(back.failure, null);
      const recovered = await eventsOf(t, 'lycee', 'relay.recovered');
      assert.equal(recovered.length, 1);
      assert.equal(recovered[0]?.data.by, 'probe');
      const told = mailTo(platform, 'owner@lycee.test');
      assert.equal(told.length, 2);
      assert.equal(told[1]?.parsed.subject, "Votre serveur d'envoi fonctionne de nouveau");

      const afterFix = await submit(t, 'lycee', subject('Après réparation'));
      await dispatch();
      assert.equal((await messageOf(t, 'lycee', afterFix.id)).route, 'relay');
      assert.equal(withSubject(relay, afterFix.subject).length, 1);
    });

    test('policy hold: mail waits (no failure, no attempt counted) and leaves through the relay once it works; the alert is in English for an English organization', async () => {
      await organizationWithRelay(t, { id: 'academy', locale: 'en', fixture: relay, relay: { fallbackPolicy: 'hold' } });
      const messages = await breakRelay('academy');
      assert.equal((await relayOf(t, 'academy')).status, 'failing');

      for (const m of messages) {
        const record = await messageOf(t, 'academy', m.id);
        assert.equal(record.status, 'deferred');
        assert.equal(record.lastErrorCode, 'relay_held');
        assert.equal(record.attempts, 1, 'waiting is not an attempt');
        assert.deepEqual(withSubject(platform, m.subject), [], 'held mail does not fall back');
      }
      const held = await eventsOf(t, 'academy', 'message.deferred');
      assert.equal(held.filter((e) => e.data.errorCode === 'relay_held').length, 3, 'said once per message');

      const [alert, ...others] = mailTo(platform, 'owner@academy.test');
      assert.equal(others.length, 0);
      assert.match(alert?.parsed.subject ?? '', /^Your sending server is failing/);
      assert.match(alert?.parsed.text ?? '', /To fix it:\n1\. /);
      assert.match(alert?.parsed.text ?? '', /your emails are held/);

      // Looked at again while still failing: still held, no new event.
      t.clock.advance(60_000);
      await dispatch();
      relay.setScript({});
      t.clock.advance(120_000);
      await dispatch();

      assert.equal((await relayOf(t, 'academy')).status, 'active');
      for (const m of messages) {
        const record = await messageOf(t, 'academy', m.id);
        assert.equal(record.status, 'sent', JSON.stringify(record));
        assert.equal(record.route, 'relay');
        assert.equal(withSubject(relay, m.subject).length, 1, `${m.subject} left through the relay`);
      }
      assert.equal(mailTo(platform, 'owner@academy.test')[1]?.parsed.subject, 'Your sending server works again');
      assert.match(mailTo(platform, 'owner@academy.test')[1]?.parsed.text ?? '', /Held emails are leaving now/);
      assert.equal((await eventsOf(t, 'academy', 'relay.recovered')).length, 1);
    });

    test('policy hold: mail held for the maximum age fails as exhausted retries', async () => {
      await organizationWithRelay(t, { id: 'held', fixture: relay, relay: { fallbackPolicy: 'hold' } });
      const [first] = await breakRelay('held');
      assert.ok(first);
      for (let hours = 0; hours < 25; hours += 1) {
        t.clock.advance(3_600_000);
        await dispatch();
      }
      const record = await messageOf(t, 'held', first.id);
      assert.equal(record.status, 'failed');
      assert.equal(record.lastErrorCode, 'retries_exhausted');
      assert.equal((await relayOf(t, 'held')).status, 'failing', 'probes kept failing');
      assert.equal(mailTo(platform, 'owner@held.test').length, 1, 'still one alert for the whole incident');
    });

    test('send-as denied (seen only when sending): a trial message goes to the relay when the probe is due; its success ends the incident', async () => {
      await organizationWithRelay(t, { id: 'cfa', fixture: relay, relay: { fallbackPolicy: 'fallback' } });
      await breakRelay('cfa', SEND_AS_DENIED);
      const state = await relayOf(t, 'cfa', '?lang=en');
      assert.equal(state.status, 'failing');
      assert.equal(state.failure.errorCode, 'send-as-denied');
      assert.match(state.failure.explanation.title, /send/i);

      // Due, but the relay still refuses: the trial message falls back at once; no new alert.
      t.clock.advance(60_000);
      const trial = await submit(t, 'cfa', subject('Essai'));
      await dispatch();
      const fellBack = await messageOf(t, 'cfa', trial.id);
      assert.deepEqual(
        { status: fellBack.status, route: fellBack.route, history: fellBack.history.map((a: { route: string; errorCode: string | null }) => [a.route, a.errorCode]) },
        { status: 'sent', route: 'fallback', history: [['relay', 'send-as-denied'], ['fallback', null]] },
      );

      relay.setScript({});
      t.clock.advance(120_000);
      const works = await submit(t, 'cfa', subject('Essai réussi'));
      await dispatch();
      assert.equal((await messageOf(t, 'cfa', works.id)).route, 'relay');
      assert.equal((await relayOf(t, 'cfa')).status, 'active');
      assert.equal((await eventsOf(t, 'cfa', 'relay.recovered'))[0]?.data.by, 'trial');
      assert.equal(mailTo(platform, 'owner@cfa.test').length, 2, 'failing, then works again');
    });

    test('the owner verifying the fixed relay ends the incident at once', async () => {
      await organizationWithRelay(t, { id: 'ifsi', fixture: relay, relay: { fallbackPolicy: 'hold' } });
      const [first] = await breakRelay('ifsi');
      relay.setScript({});
      const verified = await t.app.inject({ method: 'POST', url: '/v1/organizations/ifsi/smtp-relay/verify', headers: t.auth });
      assert.equal(verified.json().passed, true, verified.body);
      assert.equal(verified.json().relay.status, 'active');
      const [event] = await eventsOf(t, 'ifsi', 'relay.recovered');
      assert.equal(event?.data.by, 'owner');
      await dispatch();
      assert.equal((await messageOf(t, 'ifsi', first?.id ?? '')).status, 'sent');
    });

    test('turning custom sending off releases held mail to the platform sender at once', async () => {
      await organizationWithRelay(t, { id: 'cfa', fixture: relay, relay: { fallbackPolicy: 'hold' } });
      const [first] = await breakRelay('cfa');
      await dispatch();
      assert.equal((await messageOf(t, 'cfa', first?.id ?? '')).lastErrorCode, 'relay_held');
      const off = await t.app.inject({ method: 'PATCH', url: '/v1/organizations/cfa', headers: t.auth, payload: { features: { customSmtp: false } } });
      assert.equal(off.statusCode, 200, off.body);
      await dispatch();
      const record = await messageOf(t, 'cfa', first?.id ?? '');
      assert.equal(record.status, 'sent');
      assert.equal(record.route, 'platform');
      assert.equal(withSubject(platform, first?.subject ?? '').length, 1, 'it arrived through the platform sender');
    });

    test('failures that are not the relay’s (a 4xx, an unknown recipient) never make it failing', async () => {
      await organizationWithRelay(t, { id: 'ecole', fixture: relay });
      relay.setScript({ rcpt: () => ({ code: 550, text: '5.1.1 <lea@example.org>: Recipient address rejected: User unknown' }) });
      for (let i = 0; i < 4; i += 1) await submit(t, 'ecole', subject('Inconnu'));
      relay.setScript({ data: () => ({ code: 451, text: '4.3.0 Temporary local problem' }) });
      for (let i = 0; i < 4; i += 1) await submit(t, 'ecole', subject('Temporaire'));
      await dispatch();
      const state = await relayOf(t, 'ecole');
      assert.equal(state.status, 'active');
      assert.deepEqual(await eventsOf(t, 'ecole', 'relay.failing'), []);
    });
  });
}
