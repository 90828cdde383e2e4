// The size bound used to refuse oversized messages is never below what the composer produces.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sendMessageSchema, toContent } from '../outbox/message.ts';
import type { Mailbox, MessageContent } from './mail.ts';
import { composedSizeBound } from './compose-size.ts';
import { composeMessage } from './compose.ts';

// The longest sender relay settings allow: 200 characters of a 3-byte script, 254-character addresses.
const WORST_FROM: Mailbox = { name: 'é€'.repeat(100), address: `${'ü'.repeat(64)}@${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.example` };
const WORST_REPLY_TO: Mailbox = { address: `${'r'.repeat(64)}@${'d'.repeat(180)}.example` };

async function composedSize(content: MessageContent, from: Mailbox = WORST_FROM): Promise<number> {
  const raw = await composeMessage({
    content,
    from,
    ...(content.replyTo ? {} : { replyTo: WORST_REPLY_TO }),
    messageId: `<msg_01hxyzabcdefghijklmnopqrst.${'x'.repeat(20)}@${'platform'.repeat(20)}.example>`,
    date: new Date(0),
  });
  return raw.length;
}

/** Any text a request may carry in a header-like field: no CR, LF or NUL. */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.oneof(fc.constantFrom('a', ' ', '"', '\\', '=', '?', '\t', 'é', '€', '😀', '\u0001'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength }).map((s) => s.replace(/[\r\n\0]/g, 'x'));

const bodyText = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('a', 'Z', ' ', '.', '\n', '\r\n', '=', '\t', ' \n') },
    { weight: 2, arbitrary: fc.constantFrom('é', '€', 'я', '中', '😀', '\u0000', '\u007f') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 3000,
});

const localPart = fc.stringMatching(/^[a-z0-9.é]{1,20}$/);
const mailboxArb: fc.Arbitrary<Mailbox> = fc.record(
  { name: headerText(300), address: fc.tuple(localPart, fc.constantFrom('example.org', 'ex-ample.fr')).map(([l, d]) => `${l}@${d}`) },
  { requiredKeys: ['address'] },
);

const contentArb: fc.Arbitrary<MessageContent> = fc.record({
  to: fc.array(mailboxArb, { minLength: 1, maxLength: 6 }),
  cc: fc.array(mailboxArb, { maxLength: 3 }),
  bcc: fc.constant<Mailbox[]>([]),
  subject: headerText(998),
  text: fc.option(bodyText, { nil: undefined }),
  html: fc.option(bodyText.map((b) => `<p>${b}</p>`), { nil: undefined }),
  replyTo: fc.option(mailboxArb, { nil: undefined }),
  headers: fc.dictionary(fc.stringMatching(/^X-[A-Za-z0-9-]{1,20}$/), headerText(998), { maxKeys: 8 }),
  attachments: fc.array(
    fc.record({
      filename: headerText(255).map((f) => (f === '' ? 'f' : f)),
      contentType: fc.constantFrom('application/pdf', 'text/plain', 'image/png'),
      contentBase64: fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString('base64')),
    }),
    { maxLength: 3 },
  ),
}).map((c) => {
  const { text, html, replyTo, ...rest } = c;
  return { ...rest, ...(text !== undefined ? { text } : {}), ...(html !== undefined || text === undefined ? { html: html ?? '' } : {}), ...(replyTo ? { replyTo } : {}) };
});

describe('composedSizeBound', () => {
  test('is never below the size of the composed message (property)', async () => {
    await fc.assert(
      fc.asyncProperty(contentArb, async (content) => {
        const bound = composedSizeBound(content);
        const size = await composedSize(content);
        assert.ok(size <= bound, `composed ${size} bytes, bound ${bound}`);
      }),
      { numRuns: 300 },
    );
  });

  test('holds for the extremes: 50 recipients with long non-Latin names, many headers, big bodies', async () => {
    const cases: MessageContent[] = [
      {
        to: Array.from({ length: 50 }, (_, i) => ({ name: `${'😀'.repeat(150)}${i}`, address: `p${i}@example.org` })),
        cc: [],
        bcc: [],
        subject: '€'.repeat(998),
        text: 'x',
        headers: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`X-H${i}`, `${'=?'.repeat(100)}${'é'.repeat(798)}`])),
        attachments: [],
      },
      { to: [{ address: 'a@example.org' }], cc: [], bcc: [], subject: 's', text: '=\u0001\n '.repeat(250_000), headers: {}, attachments: [] },
      { to: [{ address: 'a@example.org' }], cc: [], bcc: [], subject: 's', html: '中'.repeat(1_000_000), headers: {}, attachments: [] },
      {
        to: [{ address: 'a@example.org' }],
        cc: [],
        bcc: [],
        subject: 's',
        text: 'a',
        headers: {},
        attachments: Array.from({ length: 20 }, (_, i) => ({ filename: `${'ж'.repeat(250)}${i}.pdf`, contentType: 'application/pdf', contentBase64: Buffer.alloc(3000 + i, i).toString('base64') })),
      },
    ];
    for (const content of cases) {
      const size = await composedSize(content);
      assert.ok(size <= composedSizeBound(content), `composed ${size} bytes, bound ${composedSizeBound(content)}`);
    }
  });

  test('stays close to the real size for ordinary mail (at most 2 % + 16 KB over)', async () => {
    const request = sendMessageSchema.parse({
      to: 'Léa Martin <lea@example.org>',
      subject: 'Votre attestation de formation',
      text: 'Bonjour Léa,\nVoici votre attestation.\n'.repeat(1000),
      attachments: [{ filename: 'attestation.pdf', contentType: 'application/pdf', contentBase64: Buffer.alloc(700_000, 3).toString('base64') }],
    });
    const content = toContent(request);
    const size = await composedSize(content, { name: 'Centre de formation', address: 'formation@centre.fr' });
    const bound = composedSizeBound(content);
    assert.ok(size <= bound);
    assert.ok(bound - size < 16_384 + size * 0.02, `bound ${bound} for ${size} bytes`);
  });
});
