import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NON_SMTP_REPLY_TEXT, REPLY_MAX_LENGTH, sanitizeReply } from './reply-sanitize.ts';

describe('sanitizeReply', () => {
  test('nothing to show stays undefined', () => {
    assert.equal(sanitizeReply(undefined), undefined);
    assert.equal(sanitizeReply(''), undefined);
    assert.equal(sanitizeReply(' \r\n '), undefined);
  });

  const smtpReplies: [name: string, raw: string, shown: string][] = [
    ['greeting', '220 smtp.example.com ESMTP ready\r\n', '220 smtp.example.com ESMTP ready'],
    ['bare code', '250', '250'],
    ['bare code with CRLF', '250\r\n', '250'],
    [
      'Gmail multi-line rejection',
      '535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-20020a\r\n',
      '535-5.7.8 Username and Password not accepted. For more information, go to / 535 5.7.8 https://support.google.com/mail/?p=BadCredentials a1-20020a',
    ],
    [
      'Microsoft SMTP AUTH disabled',
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
    ],
    ['LF-only and CR-only line ends', '250-first\n250-second\r250 third', '250-first / 250-second / 250 third'],
    ['control characters dropped', '550 5.1.1 bad\x00\x07\x1b[31m user\x7f\x85', '550 5.1.1 bad[31m user'],
    ['tabs become spaces', '451 4.3.0\ttry\t\tlater', '451 4.3.0 try later'],
    ['bidi overrides and zero-width dropped', '550 5.7.1 \u202egnp.exe\u202c denied\u200b', '550 5.7.1 gnp.exe denied'],
    ['accents kept', '550 5.7.1 Adresse refusée', '550 5.7.1 Adresse refusée'],
    [
      'EHLO capability list keeps mechanism names',
      '250-smtp.example.com\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250 AUTH=PLAIN LOGIN',
      '250-smtp.example.com / 250-AUTH PLAIN LOGIN XOAUTH2 / 250 AUTH=PLAIN LOGIN',
    ],
    [
      'server challenge lines kept',
      '334 VXNlcm5hbWU6',
      '334 VXNlcm5hbWU6',
    ],
  ];
  for (const [name, raw, shown] of smtpReplies) {
    test(`SMTP reply shown: ${name}`, () => assert.equal(sanitizeReply(raw), shown));
  }

  const credentials: [name: string, raw: string, shown: string][] = [
    [
      'AUTH PLAIN initial response echoed in a reply',
      '501 5.5.2 Cannot decode AUTH PLAIN AHVzZXJAZXhhbXBsZS5jb20Ac2VjcmV0',
      '501 5.5.2 Cannot decode AUTH PLAIN [redacted]',
    ],
    [
      'AUTH XOAUTH2 bearer token',
      '535 5.7.8 rejected auth xoauth2 dXNlcj1hQGIuYwFhdXRoPUJlYXJlciB5YTI5LmFiYwEB',
      '535 5.7.8 rejected auth xoauth2 [redacted]',
    ],
    [
      'AUTH LOGIN transcript: client lines dropped, server lines kept',
      'AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\ndXNlckBleGFtcGxlLmNvbQ==\r\n334 UGFzc3dvcmQ6\r\nc2VjcmV0\r\n535 5.7.8 Authentication failed',
      '334 VXNlcm5hbWU6 / 334 UGFzc3dvcmQ6 / 535 5.7.8 Authentication failed',
    ],
    [
      'AUTH PLAIN transcript line dropped',
      'AUTH PLAIN AHVzZXIAc2VjcmV0\r\n535 5.7.8 Authentication failed',
      '535 5.7.8 Authentication failed',
    ],
  ];
  for (const [name, raw, shown] of credentials) {
    test(`credentials removed: ${name}`, () => {
      const result = sanitizeReply(raw);
      assert.equal(result, shown);
      for (const secret of ['c2VjcmV0', 'AHVzZXIAc2VjcmV0', 'AHVzZXJAZXhhbXBsZS5jb20Ac2VjcmV0', 'dXNlckBleGFtcGxlLmNvbQ==']) {
        assert.ok(!result?.includes(secret), `${secret} leaked`);
      }
    });
  }

  const notSmtp: [name: string, raw: string][] = [
    ['HTTP response', 'HTTP/1.1 400 Bad Request\r\nServer: nginx/1.25.3\r\nContent-Type: text/html\r\n\r\n<html>…'],
    ['HTML page', '<!DOCTYPE html><html><head><title>Admin</title></head></html>'],
    ['SSH banner', 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n'],
    ['Redis error', '-ERR unknown command\r\n'],
    ['MySQL handshake bytes', '\x4a\x00\x00\x00\x0a8.0.36\x00\x08\x00\x00\x00'],
    ['binary junk', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
    ['SMTP-looking first line followed by an HTTP header', '220 hello\r\nServer: internal-admin 1.2\r\n'],
    ['reply code out of range', '600 not smtp'],
    ['code glued to text', '220hello'],
    ['leading control character', '\x00220 hello'],
    ['only base64-looking tokens', 'cm9vdDpzZWNyZXQ='],
  ];
  for (const [name, raw] of notSmtp) {
    test(`not an SMTP reply, banner never echoed: ${name}`, () => {
      assert.equal(sanitizeReply(raw), NON_SMTP_REPLY_TEXT);
    });
  }

  test('caps the length at a code point boundary', () => {
    assert.equal(sanitizeReply(`250 ${'a'.repeat(400)}`)?.length, REPLY_MAX_LENGTH);
    assert.equal(sanitizeReply(`250 ${'a'.repeat(400)}`)?.endsWith('…'), true);
    assert.equal(sanitizeReply('250 ok', 300), '250 ok');
    assert.equal(sanitizeReply(`250 ${'😀'.repeat(20)}`, 10), `250 ${'😀'.repeat(5)}…`);
    assert.equal(sanitizeReply(`250 ${'x'.repeat(100_000)}`)?.length, REPLY_MAX_LENGTH);
  });

  test('property: the result never holds control characters, never exceeds max, never echoes non-SMTP text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 1, max: 500 }), (raw, max) => {
        const result = sanitizeReply(raw, max);
        if (result === undefined) return assert.equal(raw.trim(), '');
        if (result === NON_SMTP_REPLY_TEXT) return;
        assert.match(result, /^[2-5]\d\d/);
        assert.ok(Array.from(result).length <= max);
        assert.doesNotMatch(result, /[\p{Cc}\p{Cf}]/u);
      }),
    );
  });
});
