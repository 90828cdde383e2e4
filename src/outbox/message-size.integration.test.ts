// Hostile and honest sizes: every attachment size up to the limit and beyond is accepted (202)
// or refused with `message_too_large` (413), never a 500; broken base64 in a big attachment is
// a quick 422; and an accepted message never travels larger than RELAIS_MAX_MESSAGE_BYTES.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { startSmtpFixture, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { estimateSize, sendMessageSchema, toContent } from './message.ts';

const MiB = 1024 * 1024;
const LIMIT = 10 * MiB; // the default RELAIS_MAX_MESSAGE_BYTES

function withAttachment(contentBase64: string, extra: { text?: string } = {}) {
  return { to: 'lea@example.org', subject: 'Attestation', text: extra.text ?? 'x', attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', contentBase64 }] };
}

const estimate = (body: ReturnType<typeof withAttachment>) => estimateSize(toContent(sendMessageSchema.parse(body)));

/** The largest attachment (as base64 text) the limit lets through, with the text padded to reach the limit exactly when possible. */
function largestAccepted(limit: number): { body: ReturnType<typeof withAttachment>; next: ReturnType<typeof withAttachment> } {
  let chars = Math.floor(((limit - estimate(withAttachment(''))) * 76) / 78 / 4) * 4 + 8;
  while (estimate(withAttachment('A'.repeat(chars))) > limit) chars -= 4;
  const base64 = 'A'.repeat(chars);
  let text = 'x';
  while (estimate(withAttachment(base64, { text: `${text}x` })) <= limit) text += 'x';
  return { body: withAttachment(base64, { text }), next: withAttachment(`${base64}AAAA`, { text }) };
}

describe('message sizes at the default limit (10 MiB)', () => {
  let t: TestApp;

  before(async () => {
    t = await createTestApp();
    await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
  });
  after(() => t.close());

  const post = (payload: string) =>
    t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', headers: { ...t.auth, 'content-type': 'application/json' }, payload });

  let found: ReturnType<typeof largestAccepted> | undefined;
  const edge = () => (found ??= largestAccepted(LIMIT));
  const CASES: { name: string; payload: () => string; status: 202 | 413 }[] = [
    { name: '4 MiB attachment', payload: () => JSON.stringify(withAttachment(Buffer.alloc(4 * MiB, 7).toString('base64'))), status: 202 },
    { name: '7 MiB attachment', payload: () => JSON.stringify(withAttachment(Buffer.alloc(7 * MiB, 7).toString('base64'))), status: 202 },
    { name: 'largest message the limit allows', payload: () => JSON.stringify(edge().body), status: 202 },
    { name: 'one base64 quantum more', payload: () => JSON.stringify(edge().next), status: 413 },
    { name: '10 MiB attachment', payload: () => JSON.stringify(withAttachment(Buffer.alloc(10 * MiB, 7).toString('base64'))), status: 413 },
    { name: '10.5 MiB attachment (body just under the body limit)', payload: () => JSON.stringify(withAttachment(Buffer.alloc(10.5 * MiB, 7).toString('base64'))), status: 413 },
    { name: '11 MiB attachment (body over the body limit)', payload: () => JSON.stringify(withAttachment(Buffer.alloc(11 * MiB, 7).toString('base64'))), status: 413 },
    { name: '30 MiB attachment (far over the body limit)', payload: () => JSON.stringify(withAttachment('A'.repeat(40 * MiB))), status: 413 },
    { name: 'text body over 5,000,000 characters', payload: () => JSON.stringify({ to: 'lea@example.org', subject: 's', text: 'a'.repeat(5_000_001) }), status: 413 },
    { name: 'HTML body of 5,000,000 characters', payload: () => JSON.stringify({ to: 'lea@example.org', subject: 's', html: 'a'.repeat(5_000_000) }), status: 202 },
  ];

  for (const c of CASES) {
    test(`${c.name} → ${c.status}${c.status === 413 ? ' message_too_large' : ''}`, async () => {
      const res = await post(c.payload());
      assert.equal(res.statusCode, c.status, res.body.slice(0, 500));
      if (c.status === 413) {
        const error = res.json().error;
        assert.equal(error.code, 'message_too_large');
        assert.match(error.message, /MB|larger|more than/);
      }
    });
  }

  test('the largest accepted message is exactly at the limit, or within one base64 quantum of it', () => {
    const size = estimate(edge().body);
    assert.ok(size <= LIMIT && size > LIMIT - 8, `estimate ${size}`);
  });

  const big = Buffer.alloc(5 * MiB, 7).toString('base64');
  const BAD_BASE64: [string, string][] = [
    ['a character outside the alphabet at the end', `${big.slice(0, -4)}AA*A`],
    ['a character outside the alphabet at the start', `*${big.slice(1)}`],
    ['a line break inside', `${big.slice(0, 76)}\n${big.slice(77)}`],
    ['three padding characters', `${big.slice(0, -4)}A===`],
    ['padding in the middle', `${big.slice(0, 1000)}AA==${big.slice(1004)}`],
    ['a length that is not a multiple of 4', big.slice(0, -1)],
    ['base64url characters', `${big.slice(0, -4)}AA_-`],
  ];
  for (const [name, contentBase64] of BAD_BASE64) {
    test(`5 MiB attachment with ${name} → 422 validation_failed`, async () => {
      const started = process.hrtime.bigint();
      const res = await post(JSON.stringify(withAttachment(contentBase64)));
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.equal(res.statusCode, 422, res.body.slice(0, 500));
      assert.equal(res.json().error.code, 'validation_failed');
      assert.match(res.json().error.message, /base64/);
      assert.ok(ms < 5000, `answered in ${Math.round(ms)} ms`);
    });
  }
});

describe('an accepted message never travels larger than the limit', () => {
  const limit = 256 * 1024;
  let t: TestApp;
  let relay: SmtpFixture;

  before(async () => {
    // The platform sender refuses anything over the limit, as a relay advertising SIZE would.
    relay = await startSmtpFixture({ security: 'none', size: limit });
    t = await createTestApp({ env: { RELAIS_MAX_MESSAGE_BYTES: String(limit), RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${relay.port}` } });
    await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
  });
  after(async () => {
    await t.close();
    await relay.close();
  });

  const names = ['Léa Müller-Øster 😀 « formation »', '"Quoted \\ name", with = and ?', '中文名字'.repeat(20), 'a'.repeat(300)];
  const SHAPES: { name: string; fill: (n: number) => object }[] = [
    {
      name: '50 recipients with long non-Latin display names',
      fill: (n) => ({
        to: Array.from({ length: 30 }, (_, i) => `${names[i % names.length]} ${i} <p${i}@example.org>`),
        cc: Array.from({ length: 20 }, (_, i) => `${names[(i + 1) % names.length]} <c${i}@example.org>`),
        subject: '€ Attestation de présence — session du 12 mars '.repeat(20),
        text: 'é'.repeat(n),
      }),
    },
    {
      name: 'many custom headers',
      fill: (n) => ({
        to: 'lea@example.org',
        subject: 'Headers',
        headers: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`X-Header-${i}`, `${'ü=?'.repeat(100)}`])),
        html: `<p>${'a b. '.repeat(n)}</p>`,
      }),
    },
    {
      name: 'attachments with long non-ASCII file names and a mixed body',
      fill: (n) => ({
        to: `${names[0]} <lea@example.org>`,
        subject: 'Documents',
        text: '=\n'.repeat(n),
        attachments: Array.from({ length: 5 }, (_, i) => ({ filename: `${'déclaration'.repeat(20)}-${i}.pdf`, contentType: 'application/pdf', contentBase64: Buffer.alloc(20_000, i).toString('base64') })),
      }),
    },
  ];

  for (const shape of SHAPES) {
    test(`${shape.name}: the largest accepted one is delivered within the limit, the next is refused`, async () => {
      // The largest body size the API accepts, found by bisection: as close to the limit as it gets.
      const post = async (n: number) => {
        const res = await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', headers: t.auth, payload: shape.fill(n) });
        if (res.statusCode === 413) {
          assert.equal(res.json().error.code, 'message_too_large');
          return undefined;
        }
        assert.equal(res.statusCode, 202, res.body);
        return res.json().id as string;
      };
      let accepted = await post(1);
      assert.ok(accepted, 'the smallest one is accepted');
      let low = 1;
      let high = 2;
      for (;;) {
        const id = await post(high);
        if (!id) break;
        [low, accepted, high] = [high, id, high * 2];
      }
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        const id = await post(middle);
        if (id) [low, accepted] = [middle, id];
        else high = middle;
      }
      relay.messages.length = 0;
      while ((await t.app.relais.dispatcher.runOnce()) > 0);
      const list = (await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/messages?status=sent', headers: t.auth })).json().messages as { id: string }[];
      assert.ok(list.some((m) => m.id === accepted), 'the relay took the largest accepted message');
      const sizes = relay.messages.map((m) => Buffer.byteLength(m.raw));
      assert.ok(sizes.length > 0);
      for (const size of sizes) assert.ok(size <= limit, `delivered ${size} bytes, limit ${limit}`);
    });
  }
});
