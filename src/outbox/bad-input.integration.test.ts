// Every kind of bad request gets a 4xx with a stable code and a readable message; nothing is queued.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/support/app.ts';

const ok = { to: 'lea@example.org', subject: 'Bonjour', text: 'x' };
const big = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');

interface Case {
  name: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  org?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const CASES: Case[] = [
  { name: 'malformed JSON', raw: '{"to": "a@b.fr",', status: 400, code: 'invalid_json' },
  { name: 'empty body', raw: '', status: 422, code: 'validation_failed' },
  { name: 'not JSON', raw: 'to=a@b.fr', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
  { name: 'missing subject', body: { to: 'a@example.org', text: 'x' }, status: 422, code: 'validation_failed' },
  { name: 'missing to', body: { subject: 's', text: 'x' }, status: 422, code: 'validation_failed' },
  { name: 'subject not a string', body: { ...ok, subject: 42 }, status: 422, code: 'validation_failed' },
  { name: 'to not a string', body: { ...ok, to: { address: 'a@b.fr' } }, status: 422, code: 'validation_failed' },
  { name: 'no body', body: { to: 'a@example.org', subject: 's' }, status: 422, code: 'no_body' },
  { name: 'empty to list', body: { ...ok, to: [] }, status: 422, code: 'no_recipients' },
  { name: 'invalid address', body: { ...ok, to: 'not-an-address' }, status: 422, code: 'invalid_address' },
  { name: 'invalid address in a list', body: { ...ok, to: ['a@example.org', 'b@'] }, status: 422, code: 'invalid_address' },
  { name: 'two addresses in one string', body: { ...ok, to: 'a@example.org, b@example.org' }, status: 422, code: 'invalid_address' },
  { name: 'invalid cc', body: { ...ok, cc: 'x@y' }, status: 422, code: 'invalid_address' },
  { name: 'invalid replyTo', body: { ...ok, replyTo: 'nobody' }, status: 422, code: 'invalid_address' },
  { name: 'CR/LF in subject', body: { ...ok, subject: 'Hi\r\nBcc: victim@example.org' }, status: 422, code: 'header_injection' },
  { name: 'LF in display name', body: { ...ok, to: 'Eve\nBcc: x@example.org <eve@example.org>' }, status: 422, code: 'header_injection' },
  { name: 'NUL in display name', body: { ...ok, to: 'Eve\u0000 <eve@example.org>' }, status: 422, code: 'header_injection' },
  { name: 'CR in header value', body: { ...ok, headers: { 'X-Ref': 'a\rb' } }, status: 422, code: 'header_injection' },
  { name: 'CR/LF in attachment file name', body: { ...ok, attachments: [{ filename: 'a\r\n.pdf', contentType: 'application/pdf', contentBase64: 'QQ==' }] }, status: 422, code: 'header_injection' },
  { name: 'non X- header', body: { ...ok, headers: { From: 'ceo@example.org' } }, status: 422, code: 'validation_failed' },
  { name: 'bad category', body: { ...ok, category: 'Not A Slug!' }, status: 422, code: 'validation_failed' },
  { name: 'attachment not base64', body: { ...ok, attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', contentBase64: '***' }] }, status: 422, code: 'validation_failed' },
  { name: 'attachment unknown field', body: { ...ok, attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', contentBase64: 'QQ==', path: '/etc/passwd' }] }, status: 422, code: 'unknown_field' },
  { name: 'unknown field', body: { ...ok, form: 'me@example.org' }, status: 422, code: 'unknown_field' },
  {
    name: 'too many recipients',
    body: { ...ok, to: Array.from({ length: 30 }, (_, i) => `a${i}@example.org`), bcc: Array.from({ length: 21 }, (_, i) => `b${i}@example.org`) },
    status: 422,
    code: 'too_many_recipients',
  },
  {
    name: 'message over the size limit',
    body: { ...ok, attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', contentBase64: big(70 * 1024) }] },
    status: 413,
    code: 'message_too_large',
  },
  { name: 'request body far over the limit', raw: JSON.stringify({ ...ok, text: 'x'.repeat(400 * 1024) }), status: 413, code: 'message_too_large' },
  { name: 'unknown organization', body: ok, org: 'nope', status: 404, code: 'organization_not_found' },
  { name: 'invalid organization id', body: ok, org: 'no%20pe', status: 422, code: 'validation_failed' },
  { name: 'invalid Idempotency-Key', body: ok, headers: { 'idempotency-key': 'has space' }, status: 422, code: 'validation_failed' },
];

describe('bad requests to POST /v1/organizations/{orgId}/messages', () => {
  let t: TestApp;

  before(async () => {
    // A small limit keeps the oversized cases cheap.
    t = await createTestApp({ env: { RELAIS_MAX_MESSAGE_BYTES: String(64 * 1024) } });
    await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
  });
  after(() => t.close());

  const post = (c: Case) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${c.org ?? 'acme'}/messages`,
      headers: { ...t.auth, 'content-type': c.contentType ?? 'application/json', ...c.headers },
      payload: c.raw ?? JSON.stringify(c.body),
    });

  for (const c of CASES) {
    test(`${c.name} → ${c.status} ${c.code}`, async () => {
      const res = await post(c);
      assert.equal(res.statusCode, c.status, res.body);
      const body = res.json() as { error: { code: string; message: string } };
      assert.equal(body.error.code, c.code, res.body);
      assert.ok(body.error.message.length > 10, 'a message a person can read');
      assert.doesNotMatch(body.error.message, /\bat \w+ \(|node_modules|Zod|FST_/, 'no internals in the message');
    });
  }

  test('nothing was queued by any of them', async () => {
    // Sends every case itself: it does not rely on the tests above having run first.
    for (const c of CASES) assert.equal((await post(c)).statusCode, c.status, c.name);
    const list = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/messages', headers: t.auth });
    assert.equal(list.json().messages.length, 0);
  });

  test('without an API key → 401; with an unknown one → 401', async () => {
    const none = await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', payload: ok });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'unauthenticated');
    const wrong = await t.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', payload: ok, headers: { authorization: 'Bearer rls_nope' } });
    assert.equal(wrong.statusCode, 401);
  });

  test('a bad organization payload is refused the same way', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { name: 'x', locale: 'de' } });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.code, 'validation_failed');
    const dup = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: 'acme', name: 'Again' } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().error.code, 'organization_exists');
  });
});
