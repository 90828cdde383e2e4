// Endpoint URLs go through the address guard: refused at creation when they lead to a private
// address, and checked again before every delivery, so a name that later resolves to a
// private address (DNS rebinding) gets no request. When allowed, the socket goes to the
// address the guard approved, whatever the name resolves to afterwards.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { recordEvent } from '../outbox/outbox.ts';
import type { Resolver } from '../smtp/address-guard.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { dialects } from '../../test/support/databases.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';

/** A public address (never connected to in these tests: the guard refuses before). */
const PUBLIC = '93.184.216.34';

for (const dialect of await dialects()) {
  describe(`webhook endpoints and the address guard (${dialect})`, () => {
    let receiver: WebhookReceiver;
    let t: TestApp;
    const names = new Map<string, string>();
    const lookups: string[] = [];
    const resolver: Resolver = {
      async lookup(host) {
        lookups.push(host);
        const address = names.get(host);
        if (!address) throw Object.assign(new Error(`no ${host}`), { code: 'ENOTFOUND' });
        return [{ address, family: address.includes(':') ? 6 : 4 }];
      },
    };
    const clock = new ManualClock(Date.now());
    const create = (url: string) => t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: t.auth, payload: { url } });
    const event = () =>
      t.db.store.db.transaction().execute((tx) => recordEvent(tx, { organizationId: 'acme', type: 'relay.failing', data: {}, at: clock.now() }));

    before(async () => {
      receiver = await startWebhookReceiver();
    });
    after(() => receiver.close());
    afterEach(() => t.close());

    describe('https:// and public addresses only (the default)', () => {
      beforeEach(async () => {
        names.clear();
        lookups.length = 0;
        t = await createTestApp({ dialect, deps: { clock, webhookResolver: resolver, webhooks: { timeoutMs: 400 } } });
      });

      test('private, loopback and link-local URLs are refused at creation; http:// too', async () => {
        names.set('intranet.platform.test', '10.1.2.3');
        names.set('metadata.platform.test', '169.254.169.254');
        const cases: [string, string, string?][] = [
          ['https://127.0.0.1/hooks', 'webhook_url_not_allowed', 'loopback'],
          ['https://0x7f000001/hooks', 'webhook_url_not_allowed', 'loopback'],
          ['https://[::1]/hooks', 'webhook_url_not_allowed', 'loopback'],
          ['https://[::ffff:10.0.0.1]/hooks', 'webhook_url_not_allowed', 'ipv4-mapped'],
          ['https://intranet.platform.test/hooks', 'webhook_url_not_allowed', 'private'],
          ['https://metadata.platform.test/latest', 'webhook_url_not_allowed', 'link-local'],
          ['https://nowhere.platform.test/hooks', 'webhook_host_not_found'],
          [`http://${PUBLIC}/hooks`, 'webhook_url_invalid'],
          ['https://user:pw@hooks.platform.test/', 'webhook_url_invalid'],
        ];
        for (const [url, code, reason] of cases) {
          const res = await create(url);
          const body = res.json() as { error: { code: string; details?: { reason?: string } } };
          assert.equal(body.error.code, code, url);
          assert.equal(res.statusCode, 422, url);
          if (reason) assert.equal(body.error.details?.reason, reason, url);
        }
        const listed = await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: t.auth });
        assert.deepEqual(listed.json(), { endpoints: [] });
      });

      test('DNS rebinding: a name that resolves to a private address at delivery gets no request', async () => {
        names.set('hooks.platform.test', PUBLIC);
        const res = await create('https://hooks.platform.test/relais');
        assert.equal(res.statusCode, 201);
        const { id } = res.json() as { id: string };
        names.set('hooks.platform.test', '127.0.0.1');
        lookups.length = 0;
        await event();
        assert.equal(await t.app.relais.webhookDispatcher.runOnce(), 1);
        assert.deepEqual(lookups, ['hooks.platform.test'], 'resolved again at delivery');
        const log = await t.app.inject({ method: 'GET', url: `/v1/webhook-endpoints/${id}/deliveries`, headers: t.auth });
        const [attempt] = (log.json() as { deliveries: { httpStatus: number | null; error: string | null; nextRetryAt: string | null }[] }).deliveries;
        assert.equal(attempt?.httpStatus, null);
        assert.equal(attempt?.error, 'address_not_allowed');
        assert.ok(attempt?.nextRetryAt, 'retried later, in case the name is fixed');
        assert.equal(receiver.received.length, 0);
      });
    });

    describe('RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS=true', () => {
      beforeEach(async () => {
        names.clear();
        receiver.received.length = 0;
        t = await createTestApp({ dialect, env: { RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS: 'true' }, deps: { clock, webhookResolver: resolver, webhooks: { timeoutMs: 400 } } });
      });

      test('the request goes to the address the guard resolved, with the name in Host', async () => {
        names.set('hooks.platform.test', '127.0.0.1');
        const res = await create(`http://hooks.platform.test:${receiver.port}/relais?token=abc`);
        assert.equal(res.statusCode, 201);
        await event();
        await t.app.relais.webhookDispatcher.runOnce();
        const [w] = await receiver.waitFor(1);
        assert.equal(w?.headers.host, `hooks.platform.test:${receiver.port}`);
        assert.equal(w?.path, '/relais?token=abc');
      });
    });
  });
}
