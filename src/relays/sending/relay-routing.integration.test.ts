// Routing at send time with real SMTP servers: a message of an organization with an active
// relay arrives through that relay, as the organization; every change (settings, deactivation,
// flag, deletion) applies to the next message dispatched. Fixtures: relay A on 127.0.0.11:587
// (STARTTLS required + AUTH), relay B on 127.0.0.12:465 (implicit TLS + AUTH), the platform
// sender on 127.0.0.15:2525.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../../test/support/databases.ts';
import { startSmtpFixture, type CapturedMessage, type SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import {
  assertNoLeak,
  createOrganization,
  createRelayTestApp,
  fakeResolver,
  relayBody,
  setCustomSmtp,
  storeRelay,
  type RelayBody,
  type RelayTestApp,
} from '../../../test/support/relays.ts';

const RELAY_A = { username: 'formation@school.test', password: 'Relay-A/pass+word=1' };
const RELAY_B = { username: 'formation@school.test', password: 'Relay-B_other?pass' };
const PLATFORM = { username: 'platform', password: 'platform-secret-pw' };

let relayA: SmtpFixture;
let relayB: SmtpFixture;
let platform: SmtpFixture;

before(async () => {
  relayA = await startSmtpFixture({ host: '127.0.0.11', port: 587, security: 'starttls-required', auth: RELAY_A });
  relayB = await startSmtpFixture({ host: '127.0.0.12', port: 465, security: 'tls', auth: RELAY_B });
  platform = await startSmtpFixture({ host: '127.0.0.15', port: 2525, security: 'starttls-required', auth: PLATFORM });
});
after(async () => {
  await Promise.all([relayA.close(), relayB.close(), platform.close()]);
});

function find(fixture: SmtpFixture, subject: string): CapturedMessage | undefined {
  return fixture.messages.find((m) => m.parsed.subject === subject);
}

for (const dialect of await dialects()) {
  describe(`routing at send time (${dialect})`, () => {
    let t: RelayTestApp;
    const bodies: string[] = [];
    let n = 0;

    const api = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) => {
      const res = await t.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });
      bodies.push(res.body);
      return res;
    };
    const putRelay = async (body: Partial<RelayBody>) => {
      const res = await api('PUT', '/v1/organizations/school/smtp-relay', relayBody({ ...RELAY_A, host: '127.0.0.11', replyTo: 'secretariat@school.test', ...body }));
      assert.ok(res.statusCode === 200 || res.statusCode === 201, res.body);
      return res.json();
    };
    const verifyAndActivate = async () => {
      const verified = await api('POST', '/v1/organizations/school/smtp-relay/verify');
      assert.equal(verified.json().passed, true, verified.body);
      const active = await api('POST', '/v1/organizations/school/smtp-relay/activate');
      assert.equal(active.json().status, 'active', active.body);
    };
    /** Queues a message and returns its subject (unique per test run). */
    const queue = async (extra: object = {}): Promise<{ id: string; subject: string }> => {
      const subject = `Feuille de présence ${dialect} #${++n}`;
      const res = await api('POST', '/v1/organizations/school/messages', { to: 'lea@example.org', subject, text: 'Merci de signer.', ...extra });
      assert.equal(res.statusCode, 202, res.body);
      return { id: res.json().id, subject };
    };
    const routeOf = async (id: string) => (await api('GET', `/v1/organizations/school/messages/${id}`)).json();
    /** Queues, dispatches, and returns where it arrived. */
    const sendOne = async (extra: object = {}) => {
      const message = await queue(extra);
      await t.app.relais.dispatcher.runOnce();
      const record = await routeOf(message.id);
      return { ...message, record, a: find(relayA, message.subject), b: find(relayB, message.subject), p: find(platform, message.subject) };
    };

    before(async () => {
      t = await createRelayTestApp({
        dialect,
        env: {
          RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
          RELAIS_PLATFORM_SMTP_URL: `smtp://${PLATFORM.username}:${PLATFORM.password}@127.0.0.15:2525?starttls=required`,
        },
      });
      await createOrganization(t, 'school');
    });
    after(async () => {
      await t.close();
    });

    test('without a relay, messages leave through the platform sender', async () => {
      const sent = await sendOne();
      assert.ok(sent.p, 'arrived at the platform sender');
      assert.equal(sent.record.route, 'platform');
      assert.equal(sent.p.envelope.from, 'hello@platform.example');
    });

    test('an active relay: the message arrives through it, from the organization', async () => {
      await putRelay({});
      const unverified = await sendOne();
      assert.ok(unverified.p && !unverified.a, 'a saved but unverified relay is not used');
      await verifyAndActivate();

      const sent = await sendOne();
      assert.equal(sent.record.status, 'sent', JSON.stringify(sent.record));
      assert.equal(sent.record.route, 'relay');
      assert.ok(sent.a, 'arrived at relay A');
      assert.equal(sent.p, undefined);
      assert.equal(sent.a.parsed.from?.text, '"École Formation" <formation@school.test>');
      assert.equal(sent.a.envelope.from, 'formation@school.test');
      assert.equal(sent.a.parsed.replyTo?.text, 'secretariat@school.test');
      assert.equal(sent.a.authUser, RELAY_A.username);
      assert.equal(sent.a.secure, true);
      assert.equal(sent.a.parsed.messageId, sent.record.messageId);

      const own = await sendOne({ replyTo: 'Trainer <trainer@school.test>' });
      assert.equal(own.a?.parsed.replyTo?.text, '"Trainer" <trainer@school.test>', "the message's own Reply-To wins");
    });

    test('a cosmetic change applies to the very next message, through a new pool', async () => {
      const before = t.app.relais.relayPools.keys;
      const saved = await putRelay({ password: undefined, fromName: 'Acme Formation' });
      assert.equal(saved.status, 'active');
      const sent = await sendOne();
      assert.equal(sent.a?.parsed.from?.text, '"Acme Formation" <formation@school.test>');
      const now = t.app.relais.relayPools.keys;
      assert.equal(now.length, 1);
      assert.notDeepEqual(now, before);
      assert.match(now[0] ?? '', new RegExp(`:${saved.version}$`));
    });

    test('moving to another server: out of use at once, then the next message goes to the new server', async () => {
      const saved = await putRelay({ ...RELAY_B, host: '127.0.0.12', port: 465, security: 'tls', fromName: 'Acme Formation' });
      assert.equal(saved.status, 'unverified');
      const between = await sendOne();
      assert.ok(between.p, 'changed settings are not used before they pass a verification');
      assert.equal(between.record.route, 'platform');
      await verifyAndActivate();
      const aBefore = relayA.messages.length;
      const sent = await sendOne();
      assert.ok(sent.b, 'arrived at relay B');
      assert.equal(sent.record.route, 'relay');
      assert.equal(sent.b.authUser, RELAY_B.username);
      assert.equal(sent.b.envelope.from, 'formation@school.test');
      assert.equal(relayA.messages.length, aBefore, 'nothing more through the old server');
    });

    test('after deactivation the next message leaves through the platform sender', async () => {
      const off = await api('POST', '/v1/organizations/school/smtp-relay/deactivate');
      assert.equal(off.json().status, 'off');
      const sent = await sendOne();
      assert.ok(sent.p);
      assert.equal(sent.b, undefined);
      assert.equal(sent.record.route, 'platform');
      assert.equal(sent.p.parsed.from?.text, '"Platform" <hello@platform.example>');
      assert.equal(t.app.relais.relayPools.keys.length, 0, 'the relay pool was retired');
    });

    test('a message queued while the relay was active but dispatched after deactivation uses the platform sender', async () => {
      await api('POST', '/v1/organizations/school/smtp-relay/activate');
      const queued = await queue();
      await api('POST', '/v1/organizations/school/smtp-relay/deactivate');
      await t.app.relais.dispatcher.runOnce();
      assert.ok(find(platform, queued.subject));
      assert.equal(find(relayB, queued.subject), undefined);
      assert.equal((await routeOf(queued.id)).route, 'platform');
    });

    test('with the flag off, an active relay is not used; back on, it is', async () => {
      await api('POST', '/v1/organizations/school/smtp-relay/activate');
      const queued = await queue();
      await setCustomSmtp(t, 'school', false);
      await t.app.relais.dispatcher.runOnce();
      assert.ok(find(platform, queued.subject), 'flag turned off between enqueue and dispatch');
      const status = (await api('GET', '/v1/organizations/school/smtp-relay')).json();
      assert.equal(status.status, 'active');
      assert.equal(status.inUse, false);

      await setCustomSmtp(t, 'school', true);
      const sent = await sendOne();
      assert.ok(sent.b);
      assert.equal(sent.record.route, 'relay');
    });

    test('after deletion the platform sender takes over', async () => {
      assert.equal((await api('DELETE', '/v1/organizations/school/smtp-relay')).statusCode, 204);
      const sent = await sendOne();
      assert.ok(sent.p);
      assert.equal(sent.record.route, 'platform');
    });

    test('no response and no log line holds a password in any form', () => {
      assertNoLeak(bodies, RELAY_A.password, RELAY_A.username);
      assertNoLeak(bodies, RELAY_B.password, RELAY_B.username);
      assert.ok(t.logs.length > 10);
      assertNoLeak(t.logs, RELAY_A.password, RELAY_A.username);
      assertNoLeak(t.logs, RELAY_B.password, RELAY_B.username);
      assertNoLeak(t.logs, PLATFORM.password, PLATFORM.username);
    });
  });
}

describe('DNS rebinding', () => {
  test('the guard runs before every connection: a name now resolving to loopback is never connected to', async () => {
    const resolver = fakeResolver({ 'rebind.relay.test': '127.0.0.11' });
    const t = await createRelayTestApp({
      resolver,
      env: { RELAIS_PLATFORM_SMTP_URL: `smtp://${PLATFORM.username}:${PLATFORM.password}@127.0.0.15:2525?starttls=required` },
    });
    try {
      await createOrganization(t, 'rebound');
      // Saved when the name pointed to a public address; active since.
      await storeRelay(t.app.relais, 'rebound', { host: 'rebind.relay.test', password: RELAY_A.password, status: 'active', activeSince: 0 });
      const connections = relayA.connections;
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/organizations/rebound/messages',
        headers: t.auth,
        payload: { to: 'lea@example.org', subject: 'rebinding', text: 'x' },
      });
      assert.equal(res.statusCode, 202);
      await t.app.relais.dispatcher.runOnce();
      const message = (await t.app.inject({ method: 'GET', url: `/v1/organizations/rebound/messages/${res.json().id}`, headers: t.auth })).json();
      assert.equal(message.route, 'relay');
      assert.notEqual(message.status, 'sent');
      assert.ok(resolver.lookups.includes('rebind.relay.test'), 'resolved at connection time');
      assert.equal(relayA.connections, connections, 'no connection to the rebound address');
      assert.equal(find(relayA, 'rebinding'), undefined);
    } finally {
      await t.close();
    }
  });
});
