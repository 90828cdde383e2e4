// Erasure and organization deletion through the API, on every dialect: after an erasure the
// address is nowhere in the database (every text column of every table is scanned); other
// organizations keep theirs; deleting an organization removes its relay secrets, members,
// messages and events, leaves the key ring and every other organization as they were, and
// keeps the webhook deliveries still waiting to tell the platform about it.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { recordEvent } from '../outbox/outbox.ts';
import { KeyRing } from '../secrets/key-ring.ts';
import { recordAudit } from './tenants.ts';
import { addMember, sessionHeaders } from '../../test/support/actors.ts';
import { dialects } from '../../test/support/databases.ts';
import { findEverywhere } from '../../test/support/personal-data.ts';
import { createRelayTestApp, storeRelay, type RelayTestApp } from '../../test/support/relays.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';

const LEA = 'lea@example.org';

for (const dialect of await dialects()) {
  describe(`erasure and organization deletion (${dialect})`, () => {
    let smtp: SmtpFixture;
    let receiver: WebhookReceiver;
    let t: RelayTestApp;
    let clock: ManualClock;
    let orgs = 0;

    const send = async (org: string, payload: object, headers: Record<string, string> = {}) => {
      const res = await t.app.inject({ method: 'POST', url: `/v1/organizations/${org}/messages`, headers: { ...t.auth, ...headers }, payload });
      assert.equal(res.statusCode, 202, res.body);
      return (res.json() as { id: string }).id;
    };
    const read = async (org: string, id: string) => (await t.app.inject({ method: 'GET', url: `/v1/organizations/${org}/messages/${id}`, headers: t.auth })).json();
    const erase = (org: string, email: string) => t.app.inject({ method: 'POST', url: `/v1/organizations/${org}/erasure`, headers: t.auth, payload: { email } });
    const newOrg = async () => {
      const id = `org-${++orgs}`;
      await t.app.relais.organizations.create({ id, name: `Organization ${orgs}` });
      return id;
    };
    /** The organization's webhook deliveries (their payload names the organization), by status. */
    const webhookDeliveries = async (org: string) =>
      (await t.app.relais.store.db.selectFrom('webhook_deliveries').select('status').where('payload', 'like', `%"organizationId":"${org}"%`).execute()).map((d) => d.status);
    const count = async (table: 'messages' | 'events' | 'memberships' | 'smtp_relays' | 'organization_retention', org: string) => {
      const row = await t.app.relais.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('organization_id', '=', org).executeTakeFirstOrThrow();
      return Number(row.n);
    };

    before(async () => {
      smtp = await startSmtpFixture({ security: 'none' });
      receiver = await startWebhookReceiver();
      clock = new ManualClock();
      t = await createRelayTestApp({
        dialect,
        env: { RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, RELAIS_LOG_LEVEL: 'silent', RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS: 'true' },
        deps: { clock },
      });
      // The platform's webhook endpoint: every event of every test is queued for it too.
      const endpoint = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: t.auth, payload: { url: receiver.url } });
      assert.equal(endpoint.statusCode, 201, endpoint.body);
    });
    after(async () => {
      await t.close();
      await smtp.close();
      await receiver.close();
    });
    beforeEach(() => {
      smtp.setScript({});
      smtp.messages.length = 0;
    });

    test('after an erasure the address appears nowhere in the database', async () => {
      const org = await newOrg();
      let lea: 'accept' | 'reject' | 'busy' = 'accept';
      smtp.setScript({
        rcpt: (to) =>
          to.toLowerCase() !== LEA || lea === 'accept'
            ? undefined
            : lea === 'reject'
              ? { code: 550, text: '5.1.1 <LEA@Example.org>: Recipient address rejected' }
              : { code: 451, text: `4.2.2 <${LEA}> mailbox busy` },
      });
      const sent = await send(
        org,
        { to: `Léa Martin <${LEA}>`, cc: 'bob@example.org', subject: `Attestation de ${LEA}`, html: `<p>Bonjour Léa (${LEA})</p>`, headers: { 'X-Learner': LEA } },
        { 'idempotency-key': `signature-${LEA}` },
      );
      await t.app.relais.dispatcher.runOnce();
      lea = 'reject';
      const failed = await send(org, { to: 'LEA@Example.org', subject: 'Rappel', text: 'x' });
      await t.app.relais.dispatcher.runOnce();
      lea = 'busy';
      const deferred = await send(org, { to: LEA, subject: 'Session', text: 'x' });
      const mention = await send(org, { to: 'bob@example.org', subject: 'Absents', text: `Absente : ${LEA}`, replyTo: LEA });
      await t.app.relais.dispatcher.runOnce();
      assert.equal((await read(org, failed)).status, 'failed');
      assert.equal((await read(org, deferred)).status, 'deferred');
      await recordEvent(t.app.relais.store.db, { organizationId: org, type: 'message.failed', messageId: failed, data: { note: `bounced for ${LEA}` }, at: clock.now() });
      await recordAudit(t.app.relais.store.db, { organizationId: org, actor: { kind: 'system', name: 'tests' }, action: 'test.note', details: { about: LEA }, at: clock.now() });
      await t.app.relais.webhookDispatcher.runOnce();
      await receiver.waitFor(1);
      assert.ok((await webhookDeliveries(org)).includes('delivered'), 'webhook deliveries (and their attempts) are in the database too');
      assert.ok((await findEverywhere(t.app.relais.store, LEA)).length >= 6, 'the address is in many places before');

      const res = await erase(org, 'Lea@Example.org');
      assert.equal(res.statusCode, 200, res.body);
      const report = res.json();
      assert.match(report.erasureId, /^era_/);
      assert.equal(report.messages, 4, 'the sent, failed, deferred and mentioning messages');
      assert.equal(report.cancelled, 1, 'the deferred one will not be sent');
      assert.equal(report.recipients, 3);
      assert.ok(report.attempts >= 2, 'the replies that named the address');
      assert.equal(report.events, 1);
      assert.equal(report.auditEntries, 1);
      assert.equal(report.inFlight, 0);

      assert.deepEqual(await findEverywhere(t.app.relais.store, LEA), [], 'no text column of any table holds the address');
      const shown = await read(org, sent);
      assert.equal(shown.status, 'sent');
      assert.notEqual(shown.contentDeletedAt, null);
      assert.deepEqual(shown.recipients.map((r: { address: string }) => r.address), ['[erased]', 'bob@example.org'], 'other recipients stay');
      assert.equal((await read(org, deferred)).status, 'failed');
      assert.equal((await read(org, deferred)).lastErrorCode, 'recipient_erased');
      assert.equal((await read(org, mention)).subject, null);
      const audit = (await t.app.inject({ method: 'GET', url: `/v1/organizations/${org}/audit-log`, headers: t.auth })).json();
      const entry = audit.entries.find((e: { action: string }) => e.action === 'personal-data.erased');
      assert.equal(entry.target, report.erasureId);
      assert.equal(entry.details.messages, 4);
      // Nothing else is delivered to the erased address.
      smtp.messages.length = 0;
      clock.advance(3600_000);
      await t.app.relais.dispatcher.runOnce();
      assert.equal(smtp.messages.length, 0);
    });

    test('an erasure stays within its organization, and waits for a message being sent', async () => {
      const org = await newOrg();
      const other = await newOrg();
      const zoe = 'zoe@example.org';
      const mine = await send(org, { to: zoe, subject: 'Mine', text: 'x' });
      const theirs = await send(other, { to: zoe, subject: 'Theirs', text: 'x' });
      await t.app.relais.dispatcher.runOnce();
      await t.app.relais.store.db.updateTable('messages').set({ status: 'sending' }).where('id', '=', mine).execute();
      const refused = await erase(org, zoe);
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().error.code, 'messages_in_flight');
      assert.equal((await read(org, mine)).recipients[0].address, zoe, 'nothing was erased');
      await t.app.relais.store.db.updateTable('messages').set({ status: 'sent' }).where('id', '=', mine).execute();

      assert.equal((await erase(org, zoe)).statusCode, 200);
      assert.equal((await read(org, mine)).recipients[0].address, '[erased]');
      const kept = await read(other, theirs);
      assert.equal(kept.recipients[0].address, zoe, 'another organization keeps its own record');
      assert.equal(kept.contentDeletedAt, null);
      const forbidden = await t.app.inject({ method: 'POST', url: `/v1/organizations/${org}/erasure`, headers: t.auth, payload: { email: 'not an address' } });
      assert.equal(forbidden.statusCode, 422);
    });

    test('deleting an organization: relay secret rows gone, key ring untouched, other organizations intact', async () => {
      const org = await newOrg();
      const other = await newOrg();
      await addMember(t.app.relais, org, `${org}-owner`, 'owner');
      await addMember(t.app.relais, org, 'shared-person', 'admin');
      await addMember(t.app.relais, other, 'shared-person', 'owner');
      const doomedRelay = await storeRelay(t.app.relais, org, { password: 'doomed-relay-password' });
      const keptRelay = await storeRelay(t.app.relais, other, { password: 'kept-relay-password' });
      await t.app.inject({ method: 'PUT', url: `/v1/organizations/${org}/retention`, headers: t.auth, payload: { contentDays: 3 } });
      // The embed-link signing secret, sealed by the key ring, exists before.
      const embed = await t.app.inject({ method: 'POST', url: '/v1/embed-sessions', headers: t.auth, payload: { organizationId: other, userId: 'shared-person' } });
      assert.equal(embed.statusCode, 201, embed.body);
      const secretsBefore = await t.app.relais.store.db.selectFrom('server_secrets').selectAll().orderBy('name').execute();
      assert.ok(secretsBefore.length > 0);
      const ownerSession = await sessionHeaders(t.app.relais, `${org}-owner`);

      await send(org, { to: 'a@example.org', subject: 'Done', text: 'x' });
      await send(other, { to: 'b@example.org', subject: 'Kept', text: 'x' });
      await t.app.relais.dispatcher.runOnce();
      const pending = await send(org, { to: 'c@example.org', subject: 'Pending', text: 'x' });
      const waiting = (await webhookDeliveries(org)).filter((s) => s === 'pending').length;
      assert.ok(waiting >= 1, 'a webhook delivery about the organization waits for the platform');

      const byOwner = await t.app.inject({ method: 'DELETE', url: `/v1/organizations/${org}`, headers: ownerSession });
      assert.equal(byOwner.statusCode, 403, 'only the platform deletes an organization');
      const refused = await t.app.inject({ method: 'DELETE', url: `/v1/organizations/${org}`, headers: t.auth });
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().error.code, 'messages_in_flight');
      assert.equal(refused.json().error.details.queued, 1);
      assert.equal((await read(org, pending)).status, 'queued', 'nothing was deleted');
      assert.equal(await count('smtp_relays', org), 1);

      const res = await t.app.inject({ method: 'DELETE', url: `/v1/organizations/${org}?force=true`, headers: t.auth });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { organizationId: org, messages: 2, events: res.json().events, members: 2, people: 1, relayDeleted: true, unfinished: 1 });
      const db = t.app.relais.store.db;
      assert.equal(await db.selectFrom('smtp_relays').select('id').where('id', '=', doomedRelay.id).executeTakeFirst(), undefined, 'the relay row and its sealed password are gone');
      assert.deepEqual(await findEverywhere(t.app.relais.store, doomedRelay.sealedPassword.slice(0, 40)), [], 'no copy of the sealed password anywhere');
      for (const table of ['messages', 'events', 'memberships', 'smtp_relays', 'organization_retention'] as const) assert.equal(await count(table, org), 0, table);
      assert.equal(await db.selectFrom('organizations').select('id').where('id', '=', org).executeTakeFirst(), undefined);
      assert.equal((await webhookDeliveries(org)).filter((s) => s === 'pending').length, waiting, 'waiting webhook deliveries are kept: the platform still hears them');
      assert.equal(await db.selectFrom('users').select('id').where('id', '=', `${org}-owner`).executeTakeFirst(), undefined, 'a person of that organization only is gone');
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/sessions/current', headers: ownerSession })).statusCode, 401, 'their session ended');

      // The key ring and everything of the other organization are as they were.
      assert.deepEqual(await db.selectFrom('server_secrets').selectAll().orderBy('name').execute(), secretsBefore, 'server secrets untouched');
      const kept = (await t.app.relais.relays.find(other)).relay;
      assert.ok(kept);
      assert.equal(kept.sealedPassword, keptRelay.sealedPassword);
      assert.equal(t.app.relais.relays.openPassword(kept), 'kept-relay-password', 'the key ring still opens the other relay');
      assert.ok(KeyRing.fromBase64(t.secretKey), 'the same key still loads');
      assert.equal(await count('messages', other), 1);
      assert.equal(await count('memberships', other), 1);
      assert.ok(await db.selectFrom('users').select('id').where('id', '=', 'shared-person').executeTakeFirst(), 'a person of another organization too stays');
      const audit = await db.selectFrom('audit_log').select(['action', 'details']).where('organization_id', '=', org).where('action', '=', 'organization.deleted').execute();
      assert.equal(audit.length, 1, 'the deletion is in the audit log');
      assert.equal((await t.app.inject({ method: 'GET', url: `/v1/organizations/${org}`, headers: t.auth })).statusCode, 404);
    });

    test('export streams the delivery log as NDJSON, content only when asked and still kept', async () => {
      const org = await newOrg();
      const first = await send(org, { to: 'Ana <ana@example.org>', subject: 'One', text: 'Body one' });
      clock.advance(1000);
      const second = await send(org, { to: 'ben@example.org', subject: 'Two', text: 'Body two' });
      await t.app.relais.dispatcher.runOnce();
      const plain = await t.app.inject({ method: 'GET', url: `/v1/organizations/${org}/export`, headers: t.auth });
      assert.equal(plain.statusCode, 200, plain.body);
      assert.match(String(plain.headers['content-type']), /application\/x-ndjson/);
      const lines = plain.body.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines.map((l) => l.id), [first, second], 'oldest first');
      assert.equal(lines[0].recipients[0].address, 'ana@example.org');
      assert.equal(lines[0].history[0].outcome, 'sent');
      assert.ok(!plain.body.includes('Body one'), 'no bodies unless asked');
      clock.advance(8 * 24 * 3600_000);
      await t.app.relais.store.db.updateTable('messages').set({ sent_at: clock.now() }).where('id', '=', second).execute();
      await t.app.relais.retentionPruner.runOnce();
      const withContent = (await t.app.inject({ method: 'GET', url: `/v1/organizations/${org}/export?content=true`, headers: t.auth })).body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(withContent[0].content, null, 'pruned content is not exported');
      assert.equal(withContent[1].content.text, 'Body two');
      assert.equal(withContent[1].content.to[0].address, 'ben@example.org');
    });
  });
}
