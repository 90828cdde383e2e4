// A hanging webhook endpoint never slows mail: webhooks have their own slots and deadline.
// Measured: the time to deliver a batch of messages while every webhook slot hangs, against
// the same batch with no endpoint at all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { dialects } from '../../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { waitUntil } from '../../test/support/process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';

const COUNT = 30;
/** The webhook dispatcher's slots (its default). */
const SLOTS = 4;

for (const dialect of await dialects()) {
  describe(`a hanging webhook endpoint and mail (${dialect})`, () => {
    let smtp: SmtpFixture;
    let receiver: WebhookReceiver;

    before(async () => {
      smtp = await startSmtpFixture({ security: 'none' });
      receiver = await startWebhookReceiver();
      receiver.script([], 'hang');
    });
    after(async () => {
      await Promise.all([smtp.close(), receiver.close()]);
    });

    /** Sends COUNT messages through the running service; milliseconds until the last one arrived. */
    async function batch(withEndpoint: boolean): Promise<{ ms: number; hanging: number }> {
      smtp.messages.length = 0;
      const t: TestApp = await createTestApp({
        dialect,
        env: {
          RELAIS_ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
          RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
          RELAIS_SHUTDOWN_GRACE_SECONDS: '0',
        },
      });
      try {
        await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: 'acme', name: 'Acme' } });
        t.app.relais.dispatcher.start();
        t.app.relais.webhookDispatcher.start();
        if (withEndpoint) {
          // Every webhook slot is taken by a request the endpoint never answers before mail starts.
          const res = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: t.auth, payload: { url: receiver.url } });
          assert.equal(res.statusCode, 201);
          const { id } = res.json() as { id: string };
          for (let i = 0; i < SLOTS; i++) await t.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${id}/test`, headers: t.auth });
          await waitUntil(() => receiver.hanging >= SLOTS, 10_000, 'every webhook slot hanging');
        }
        const started = performance.now();
        for (let i = 0; i < COUNT; i++) {
          const res = await t.app.inject({
            method: 'POST',
            url: '/v1/organizations/acme/messages',
            headers: t.auth,
            payload: { to: `learner${i}@example.org`, subject: `Message ${i}`, text: 'x' },
          });
          assert.equal(res.statusCode, 202);
        }
        await smtp.waitForMessages(COUNT, 30_000);
        return { ms: Math.round(performance.now() - started), hanging: receiver.hanging };
      } finally {
        await t.close();
      }
    }

    test('mail leaves as fast while every webhook slot hangs', async () => {
      const baseline = await batch(false);
      const hanging = await batch(true);
      console.log(`# ${dialect}: ${COUNT} messages in ${baseline.ms} ms without webhooks, ${hanging.ms} ms with every webhook slot hanging (${hanging.hanging} requests open)`);
      assert.ok(hanging.hanging >= SLOTS, `the endpoint held every webhook slot until the end (${hanging.hanging} open requests)`);
      assert.ok(hanging.ms < baseline.ms * 2 + 1000, `mail took ${hanging.ms} ms beside hanging webhooks, ${baseline.ms} ms without`);
      assert.ok(hanging.ms < 10_000);
    });
  });
}
