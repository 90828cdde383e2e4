// One-time emails to owners about their relay's sign-in: the client secret's expiry 30 and 7
// days before (once each, in the organization's language), and Microsoft's end-of-2026 date
// for active Microsoft 365 relays still on a password. A fake clock moves the days; the
// emails go through the platform sender, a fixture on 127.0.0.1 (random port).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addMember } from '../../../test/support/actors.ts';
import { dialects } from '../../../test/support/databases.ts';
import { createRelayTestApp, setCustomSmtp, storeRelay, type RelayTestApp } from '../../../test/support/relays.ts';
import { startSmtpFixture, type SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import { ManualClock } from '../../clock.ts';

const DAY = 24 * 3600_000;

for (const dialect of await dialects()) {
  describe(`sign-in notices to owners (${dialect})`, () => {
    const clock = new ManualClock();
    let platform: SmtpFixture;
    let t: RelayTestApp;
    const expiresAt = clock.now() + 40 * DAY;

    const run = async () => {
      clock.advance(2 * 3600_000);
      await t.app.relais.dispatcher.runOnce();
    };
    const mails = (to: string) => platform.messages.filter((m) => m.envelope.to.includes(to)).map((m) => m.parsed.subject ?? '');

    before(async () => {
      platform = await startSmtpFixture({ host: '127.0.0.1', security: 'none' });
      t = await createRelayTestApp({ dialect, env: { RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${platform.port}` }, deps: { clock } });
      for (const [id, locale] of [['ecole', 'fr'], ['school', 'en'], ['idle', 'en']] as const) {
        const created = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id, name: `Org ${id}`, locale } });
        assert.equal(created.statusCode, 201, created.body);
        await setCustomSmtp(t, id, true);
        await addMember(t.app.relais, id, `owner-${id}`, 'owner', { email: `owner@${id}.test` });
        await addMember(t.app.relais, id, `member-${id}`, 'member', { email: `member@${id}.test` });
      }
      await storeRelay(t.app.relais, 'ecole', {
        preset: 'microsoft-365',
        status: 'active',
        auth: { type: 'oauth2-microsoft', tenantId: 'ecole.onmicrosoft.com', clientId: '00001111-aaaa-2222-bbbb-3333cccc4444', clientSecretExpiresAt: expiresAt },
        password: 'client-secret-value',
      });
      await storeRelay(t.app.relais, 'school', { preset: 'microsoft-365', status: 'active' });
      await storeRelay(t.app.relais, 'idle', { preset: 'microsoft-365', status: 'off' });
    });
    after(async () => {
      await t.close();
      await platform.close();
    });

    test('an active Microsoft 365 relay on a password: its owners get one email about Microsoft’s date, in English; an inactive one gets none', async () => {
      await run();
      assert.deepEqual(mails('owner@school.test'), ['Microsoft 365: switch to app sign-in before the end of December 2026']);
      const text = platform.messages.find((m) => m.envelope.to.includes('owner@school.test'))?.parsed.text ?? '';
      assert.match(text, /31 December 2026/);
      assert.match(text, /New-ServicePrincipal/);
      assert.deepEqual(mails('member@school.test'), [], 'owners only');
      assert.deepEqual(mails('owner@idle.test'), []);
      await run();
      assert.equal(mails('owner@school.test').length, 1, 'once');
    });

    test('a client secret: no email 40 days before, one 30 days before and one 7 days before, in French, once each', async () => {
      assert.deepEqual(mails('owner@ecole.test'), []);
      clock.advance(11 * DAY);
      await run();
      assert.deepEqual(mails('owner@ecole.test'), ['Le secret client de votre envoi d’e-mails expire dans 29 jours']);
      await run();
      clock.advance(5 * DAY);
      await run();
      assert.equal(mails('owner@ecole.test').length, 1, 'the 30-day reminder is sent once');
      clock.advance(17 * DAY);
      await run();
      const subjects = mails('owner@ecole.test');
      assert.equal(subjects.length, 2);
      assert.match(subjects[1] ?? '', /expire dans [1-7] jours/);
      await run();
      assert.equal(mails('owner@ecole.test').length, 2, 'the 7-day reminder is sent once');
      assert.ok(!platform.messages.some((m) => (m.parsed.text ?? '').includes('client-secret-value')), 'never the secret');
      // The platform hears of it too, once per reminder (GET /v1/events and webhooks).
      const read = await t.app.inject({ method: 'GET', url: '/v1/events?type=relay.secret_expiring', headers: t.auth });
      const events = (read.json() as { events: { organizationId: string; data: { expiresAt: string } }[] }).events;
      const expiry = new Date(expiresAt).toISOString();
      assert.deepEqual(events.map((e) => [e.organizationId, e.data.expiresAt]), [['ecole', expiry], ['ecole', expiry]]);
    });
  });
}
