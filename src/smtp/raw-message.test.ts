// The routing headers of a submitted message, rewritten without touching anything else.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteRoutingHeaders, splitMessage, withoutFields } from './raw-message.ts';

const SUBMITTED = Buffer.from(
  [
    'From: "Appli" <noreply@app.example>',
    'Sender: someone@else.example',
    'To: lea@example.org',
    'Subject: =?UTF-8?Q?Pr=C3=A9sence?=',
    'Message-ID: <old@app.example>',
    'X-Relais-Organization: centre-lyon',
    'Bcc: hidden@example.org,',
    ' other@example.org',
    'X-Folded: one',
    '\ttwo',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Body line one',
    'From: not a header, body text',
    '',
  ].join('\r\n'),
  'latin1',
);

describe('raw messages (SMTP submission)', () => {
  test('splits whole fields (continuation lines included) and leaves the body alone', () => {
    const { fields, body } = splitMessage(SUBMITTED);
    assert.deepEqual(
      fields.map((f) => f.name),
      ['from', 'sender', 'to', 'subject', 'message-id', 'x-relais-organization', 'bcc', 'x-folded', 'content-type'],
    );
    assert.equal(fields[6]?.bytes.toString(), 'Bcc: hidden@example.org,\r\n other@example.org\r\n');
    assert.equal(body.toString(), '\r\nBody line one\r\nFrom: not a header, body text\r\n');
  });

  test('withoutFields removes exactly the fields named', () => {
    const out = withoutFields(SUBMITTED, new Set(['bcc', 'x-relais-organization'])).toString();
    assert.ok(!out.includes('hidden@example.org') && !out.includes('other@example.org') && !out.includes('centre-lyon'));
    assert.equal(out.length, SUBMITTED.length - 'X-Relais-Organization: centre-lyon\r\nBcc: hidden@example.org,\r\n other@example.org\r\n'.length);
  });

  test('rewrites From and Message-ID, drops Sender, adds Reply-To and Date only when absent; the rest is byte for byte', () => {
    const out = rewriteRoutingHeaders(SUBMITTED, {
      from: { name: 'École Formation', address: 'formation@centre-lyon.test' },
      replyTo: { address: 'noreply@app.example' },
      messageId: '<old@app.example>',
      date: new Date(Date.UTC(2026, 0, 2)),
    }).toString('latin1');
    const { fields, body } = splitMessage(Buffer.from(out, 'latin1'));
    assert.deepEqual(
      fields.map((f) => f.name),
      ['from', 'reply-to', 'message-id', 'date', 'to', 'subject', 'x-folded', 'content-type'],
    );
    assert.match(out, /^From: =\?UTF-8\?Q\?=C3=89cole_Formation\?= <formation@centre-lyon\.test>\r\n/);
    assert.ok(out.includes('Subject: =?UTF-8?Q?Pr=C3=A9sence?=\r\nX-Folded: one\r\n\ttwo\r\n'));
    assert.equal(body.toString(), '\r\nBody line one\r\nFrom: not a header, body text\r\n');
    assert.ok(!out.includes('Sender:') && !out.includes('someone@else.example'));
  });

  test('a message with its own Reply-To and Date keeps them', () => {
    const own = Buffer.from('Reply-To: desk@app.example\r\nDate: Mon, 1 Jun 2026 08:00:00 +0200\r\nSubject: x\r\n\r\nhi\r\n');
    const out = rewriteRoutingHeaders(own, { from: { address: 'a@b.fr' }, replyTo: { address: 'other@b.fr' }, messageId: '<m@b.fr>', date: new Date(0) }).toString();
    assert.equal(out, 'From: a@b.fr\r\nMessage-ID: <m@b.fr>\r\nReply-To: desk@app.example\r\nDate: Mon, 1 Jun 2026 08:00:00 +0200\r\nSubject: x\r\n\r\nhi\r\n');
  });
});
