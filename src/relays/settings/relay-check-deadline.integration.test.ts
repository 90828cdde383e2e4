// A check or a verification ends at the same overall deadline as a delivery
// (RELAIS_RELAY_SEND_TIMEOUT_SECONDS): a relay that trickles its EHLO reply one line at a time
// keeps every idle timeout happy, yet the run fails as relay-timeout and the connection is
// closed. Drip server on 127.0.0.96:587.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../../test/support/databases.ts';
import { startDripServer, type DripServer } from '../../../test/support/drip-server.ts';
import { createRelayTestApp, type RelayTestApp } from '../../../test/support/relays.ts';

for (const dialect of await dialects()) {
  describe(`check and verification deadline (${dialect})`, () => {
    let drip: DripServer;
    let t: RelayTestApp;
    const call = (path: string, payload?: object) =>
      t.app.inject({ method: path === '' ? 'PUT' : 'POST', url: `/v1/organizations/acme/smtp-relay${path}`, headers: { ...t.auth, 'accept-language': 'en' }, ...(payload ? { payload } : {}) });

    before(async () => {
      drip = await startDripServer({ host: '127.0.0.96', port: 587, intervalMs: 200 });
      t = await createRelayTestApp({ dialect, env: { RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true', RELAIS_RELAY_SEND_TIMEOUT_SECONDS: '1' } });
      await t.app.relais.organizations.create({ id: 'acme', name: 'Acme', locale: 'en' });
      const saved = await call('', {
        preset: 'custom',
        host: '127.0.0.96',
        port: 587,
        security: 'none',
        username: 'formation@acme.test',
        password: 'secret-password',
        fromEmail: 'formation@acme.test',
        fromName: 'Acme',
        fallbackPolicy: 'fallback',
      });
      assert.equal(saved.statusCode, 201, saved.body);
    });
    after(async () => {
      await t.close();
      await drip.close();
    });

    for (const path of ['/verify', '/check']) {
      test(`${path} of a relay that trickles EHLO fails as relay-timeout at the deadline and closes the connection`, async () => {
        const connectionsBefore = drip.connections;
        const started = Date.now();
        const res = await call(path, path === '/check' ? {} : undefined);
        const elapsed = Date.now() - started;
        assert.equal(res.statusCode, 200, res.body);
        const { report } = res.json();
        assert.equal(report.passed, false);
        const failed = report.steps.find((s: { status: string }) => s.status === 'fail');
        assert.equal(failed?.explanation?.id, 'relay-timeout', JSON.stringify(failed));
        assert.equal(drip.connections, connectionsBefore + 1, 'the run reached the server');
        // Well before the 10/15/60 s stage timeouts: only the 1 s deadline can have ended it
        // (failed network steps are rounded up to whole seconds).
        assert.ok(elapsed < 5000, `took ${elapsed} ms`);
        await drip.waitForOpen(0);
        const status = (await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/smtp-relay', headers: { ...t.auth, 'accept-language': 'en' } })).json();
        assert.equal(status.lastCheck.errorCode, 'relay-timeout');
      });
    }
  });
}
