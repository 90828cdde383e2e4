import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseMechanism } from '../authenticator.ts';
import { offersStarttls, parseCapabilities } from './capabilities.ts';

const GMAIL_EHLO = [
  '250-smtp.gmail.com at your service, [203.0.113.9]',
  '250-SIZE 35882577',
  '250-8BITMIME',
  '250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH',
  '250-ENHANCEDSTATUSCODES',
  '250-PIPELINING',
  '250-CHUNKING',
  '250 SMTPUTF8',
].join('\n');

describe('EHLO capabilities', () => {
  test("reads Gmail's EHLO reply", () => {
    assert.deepEqual(parseCapabilities(GMAIL_EHLO, true), {
      size: 35882577,
      pipelining: true,
      chunking: true,
      smtputf8: true,
      eightBitMime: true,
      authMechanisms: ['LOGIN', 'PLAIN', 'XOAUTH2', 'PLAIN-CLIENTTOKEN', 'OAUTHBEARER', 'XOAUTH'],
      starttls: true,
    });
  });

  test('old AUTH= lines, SIZE without a value, STARTTLS offered', () => {
    const ehlo = '250-mx.example.com\n250-AUTH=LOGIN CRAM-MD5\n250-SIZE\n250 STARTTLS';
    const capabilities = parseCapabilities(ehlo, false);
    assert.deepEqual(capabilities.authMechanisms, ['LOGIN', 'CRAM-MD5']);
    assert.equal(capabilities.size, null);
    assert.equal(capabilities.starttls, true);
    assert.equal(offersStarttls(ehlo), true);
    assert.equal(offersStarttls(GMAIL_EHLO), false);
  });

  test('signs in with the mechanism delivery (nodemailer) would choose', () => {
    assert.equal(chooseMechanism(['LOGIN', 'PLAIN', 'XOAUTH2']), 'PLAIN');
    assert.equal(chooseMechanism(['XOAUTH2', 'LOGIN']), 'LOGIN');
    assert.equal(chooseMechanism(['CRAM-MD5']), 'CRAM-MD5');
    assert.equal(chooseMechanism([]), 'PLAIN');
  });
});
