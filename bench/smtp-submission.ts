// SMTP submission beside the HTTP API: N messages submitted by C concurrent clients, over HTTP
// (POST /v1/organizations/{id}/messages, keep-alive) and over SMTP (nodemailer, pooled
// connections, STARTTLS + AUTH PLAIN), through a whole Relais (API, outbox, dispatcher) to a
// local SMTP server. Prints the rate at which submissions were answered (202 / 250) and the
// end-to-end rate (until the last message arrived). Machines here are noisy: compare ratios.
// Part of `npm run bench` (scenario `smtp`); alone: node --import tsx bench/smtp-submission.bench.ts
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { buildApp } from '../src/api/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { generateSecretKey } from '../src/secrets/key-ring.ts';
import { startSubmission } from '../src/submission/submission.ts';
import { createTestDatabase, type Dialect } from '../test/support/databases.ts';
import { startSmtpFixture, type SmtpFixture } from '../test/support/smtp-fixture.ts';
import { TEST_CA, TEST_CERTS } from '../test/support/tls.ts';

export interface Rates {
  answeredPerSecond: number;
  endToEndPerSecond: number;
}

/** Runs `task(i)` for i in 0..n-1 with `clients` workers. */
async function inParallel(n: number, clients: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

async function measure(fixture: SmtpFixture, n: number, clients: number, submit: (i: number) => Promise<void>): Promise<Rates> {
  const before = fixture.messages.length;
  const t0 = performance.now();
  await inParallel(n, clients, submit);
  const t1 = performance.now();
  await fixture.waitForMessages(before + n, 300_000);
  const t2 = performance.now();
  return { answeredPerSecond: (n * 1000) / (t1 - t0), endToEndPerSecond: (n * 1000) / (t2 - t0) };
}

/** `n` messages submitted by `clients` concurrent clients over HTTP, then over SMTP, through one whole Relais on `dialect`. */
export async function submissionVsHttp(dialect: Dialect, n: number, clients: number): Promise<{ http: Rates; smtp: Rates }> {
  const fixture = await startSmtpFixture({ security: 'none' });
  const db = await createTestDatabase(dialect);
  const config = loadConfig({
    RELAIS_PLATFORM_FROM: 'Platform <hello@platform.example>',
    RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${fixture.port}`,
    RELAIS_LOG_LEVEL: 'silent',
    RELAIS_SECRET_KEY: generateSecretKey(),
  });
  const app = await buildApp(config, { store: db.store, logger: createLogger('silent') });
  try {
    const { key } = await app.relais.apiKeys.create('bench');
    await app.relais.organizations.create({ id: 'bench', name: 'Bench' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    app.relais.dispatcher.start();
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const submission = await startSubmission(app.relais, { host: '127.0.0.1', port: 0, tls: TEST_CERTS.relay, allowInsecureAuth: false });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: submission.port,
      requireTLS: true,
      tls: { ca: [TEST_CA] },
      auth: { user: 'bench', pass: key },
      pool: true,
      maxConnections: clients,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    const text = 'Bonjour, merci de signer la feuille de présence.';
    try {
      const http = await measure(fixture, n, clients, async (i) => {
        const res = await fetch(`${base}/v1/organizations/bench/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ to: `learner${i}@example.org`, subject: `HTTP ${i}`, text }),
        });
        if (res.status !== 202) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      });
      const smtp = await measure(fixture, n, clients, async (i) => {
        const info = await transport.sendMail({ from: 'noreply@app.example', to: `learner${i}@example.org`, subject: `SMTP ${i}`, text });
        if (!info.response.startsWith('250 2.0.0 Ok: queued as msg_')) throw new Error(info.response);
      });
      return { http, smtp };
    } finally {
      transport.close();
      await submission.close();
    }
  } finally {
    await app.close();
    await db.drop();
    await fixture.close();
  }
}
