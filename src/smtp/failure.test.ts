import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromNodemailerError, parseSmtpReply, sanitizeServerText } from './failure.ts';
import { REPLY_MAX_LENGTH } from './reply-sanitize.ts';
import { relayTimeoutError } from './transport.ts';

/** An error shaped as nodemailer's smtp-connection builds them (_formatError). */
function nodemailerError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'failed')), fields);
}

describe('parseSmtpReply', () => {
  test('a single-line reply', () => {
    assert.deepEqual(parseSmtpReply('550 5.7.30 Basic authentication is not supported for Client Submission.'), {
      code: 550,
      enhanced: '5.7.30',
      text: 'Basic authentication is not supported for Client Submission.',
    });
  });

  test('a three-digit detail (Microsoft 5.7.139)', () => {
    const reply = parseSmtpReply('535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.');
    assert.equal(reply.enhanced, '5.7.139');
    assert.equal(reply.text, 'Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.');
  });

  test('a multi-line reply drops the continuation prefixes', () => {
    const reply = parseSmtpReply(
      '535-5.7.8 Username and Password not accepted. For more information, go to\r\n' +
        '535 5.7.8  https://support.google.com/mail/?p=BadCredentials',
    );
    assert.deepEqual(reply, {
      code: 535,
      enhanced: '5.7.8',
      text: 'Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials',
    });
  });

  test('a multi-line reply already flattened into one line', () => {
    const reply = parseSmtpReply(
      '535-5.7.8 Username and Password not accepted. For more information, go to 535 5.7.8  https://support.google.com/mail/?p=BadCredentials',
    );
    assert.equal(reply.text, 'Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials');
  });

  test('Gmail’s 534-5.7.9', () => {
    assert.deepEqual(parseSmtpReply('534-5.7.9 Application-specific password required.'), {
      code: 534,
      enhanced: '5.7.9',
      text: 'Application-specific password required.',
    });
  });

  test('a reply without an enhanced status code', () => {
    assert.deepEqual(parseSmtpReply('421 Service not available'), { code: 421, enhanced: undefined, text: 'Service not available' });
    assert.deepEqual(parseSmtpReply('250'), { code: 250, enhanced: undefined, text: '' });
  });

  test('a number that only looks like an enhanced code is left in the text', () => {
    const reply = parseSmtpReply('550 3.1.4 is not a status class');
    assert.equal(reply.enhanced, undefined);
    assert.equal(reply.text, '3.1.4 is not a status class');
  });

  test('text that is not an SMTP reply has no code', () => {
    assert.deepEqual(parseSmtpReply('HTTP/1.1 400 Bad Request'), { code: undefined, enhanced: undefined, text: 'HTTP/1.1 400 Bad Request' });
  });

  test('any input parses without throwing, and the code is a real three-digit code', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const reply = parseSmtpReply(text);
        assert.ok(reply.code === undefined || (reply.code >= 0 && reply.code <= 999));
        assert.ok(reply.enhanced === undefined || /^[245]\.\d{1,3}\.\d{1,3}$/.test(reply.enhanced));
      }),
    );
  });
});

describe('fromNodemailerError', () => {
  test('EAUTH with the server’s reply', () => {
    const failure = fromNodemailerError(
      nodemailerError({
        code: 'EAUTH',
        command: 'AUTH PLAIN',
        responseCode: 535,
        response: '535 5.7.3 Authentication unsuccessful',
      }),
    );
    assert.deepEqual(failure, { stage: 'auth', code: 535, enhanced: '5.7.3', text: 'Authentication unsuccessful' });
  });

  test('a multi-line reply as nodemailer joins it', () => {
    const failure = fromNodemailerError(
      nodemailerError({
        code: 'EAUTH',
        command: 'AUTH PLAIN',
        responseCode: 534,
        response: '534-5.7.9 Application-specific password required. For more information, go to\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor',
      }),
    );
    assert.deepEqual(failure, {
      stage: 'auth',
      code: 534,
      enhanced: '5.7.9',
      text: 'Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvalidSecondFactor',
    });
  });

  test('the command tells the stage', () => {
    const cases: [string, string, string][] = [
      ['EENVELOPE', 'MAIL FROM', 'mail'],
      ['EENVELOPE', 'RCPT TO', 'rcpt'],
      ['EENVELOPE', 'DATA', 'data'],
      ['EMESSAGE', 'DATA', 'message'],
      ['ECONNECTION', 'EHLO', 'ehlo'],
      ['ETLS', 'STARTTLS', 'tls'],
      ['EAUTH', 'AUTH LOGIN', 'auth'],
    ];
    for (const [code, command, stage] of cases) {
      const failure = fromNodemailerError(nodemailerError({ code, command, responseCode: 554, response: '554 5.7.1 No' }));
      assert.equal(failure.stage, stage, `${code} ${command}`);
    }
  });

  test('a rejected STARTTLS is a reply at the tls stage', () => {
    const failure = fromNodemailerError(
      nodemailerError({ code: 'ETLS', command: 'STARTTLS', responseCode: 454, response: '454 4.7.0 TLS not available due to local problem' }),
    );
    assert.deepEqual(failure, { stage: 'tls', code: 454, enhanced: '4.7.0', text: 'TLS not available due to local problem' });
  });

  test('a 421 that ends the session keeps its reply and notes the closed connection', () => {
    const failure = fromNodemailerError(
      nodemailerError({ code: 'ECONNECTION', command: 'CONN', responseCode: 421, response: '421 4.7.0 Try again later, closing connection.' }),
      { stage: 'rcpt' },
    );
    assert.deepEqual(failure, {
      stage: 'rcpt',
      code: 421,
      enhanced: '4.7.0',
      text: 'Try again later, closing connection.',
      network: 'CONNECTION_CLOSED',
    });
  });

  test('a greeting that is not SMTP keeps none of the peer’s words', () => {
    const failure = fromNodemailerError(
      nodemailerError({ code: 'EPROTOCOL', command: 'CONN', response: 'HTTP/1.1 400 Bad Request', message: 'Invalid greeting. response=HTTP/1.1 400 Bad Request' }),
    );
    assert.deepEqual(failure, { stage: 'greeting', network: 'NOT_SMTP' });
  });

  test('an error reply to the banner is at the greeting stage', () => {
    const failure = fromNodemailerError(
      nodemailerError({ code: 'EPROTOCOL', command: 'CONN', responseCode: 554, response: '554 5.7.1 No SMTP service here', message: 'Invalid greeting. response=554 5.7.1 No SMTP service here' }),
    );
    assert.equal(failure.stage, 'greeting');
  });

  test('socket and TLS codes nodemailer keeps as originalCode', () => {
    const cases: [string, string, string][] = [
      ['ECONNREFUSED', 'ECONNREFUSED', 'connect'],
      ['ECONNRESET', 'ECONNRESET', 'connect'],
      ['EPIPE', 'EPIPE', 'connect'],
      ['EHOSTUNREACH', 'EHOSTUNREACH', 'connect'],
      ['CERT_HAS_EXPIRED', 'CERT_EXPIRED', 'tls'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HOSTNAME', 'tls'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SELF_SIGNED', 'tls'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'CERT_SELF_SIGNED', 'tls'],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_INVALID', 'tls'],
      ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_INVALID', 'tls'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'WRONG_TLS_MODE', 'tls'],
      ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'TLS_HANDSHAKE', 'tls'],
    ];
    for (const [originalCode, network, stage] of cases) {
      const failure = fromNodemailerError(nodemailerError({ code: 'ESOCKET', originalCode, command: 'CONN', message: 'x' }));
      assert.deepEqual({ network: failure.network, stage: failure.stage }, { network, stage }, originalCode);
    }
  });

  test('DNS failures: not found, or temporary', () => {
    const notFound = fromNodemailerError(
      nodemailerError({ code: 'EDNS', originalCode: 'ENOTFOUND', command: 'CONN', message: 'getaddrinfo ENOTFOUND smtp.exmaple.com' }),
    );
    assert.deepEqual(notFound, { stage: 'dns', network: 'ENOTFOUND', text: 'getaddrinfo ENOTFOUND smtp.exmaple.com' });
    const timeout = fromNodemailerError(nodemailerError({ code: 'EDNS', originalCode: 'ETIMEOUT', command: 'CONN', message: 'DNS lookup timed out' }));
    assert.equal(timeout.network, 'DNS_TEMPORARY');
    const refused = fromNodemailerError(nodemailerError({ code: 'EDNS', originalCode: 'ECONNREFUSED', command: 'CONN' }));
    assert.deepEqual({ stage: refused.stage, network: refused.network }, { stage: 'dns', network: 'DNS_TEMPORARY' });
  });

  test('a STARTTLS upgrade that lost the code keeps the meaning of its message', () => {
    const cases: [string, string][] = [
      ['Error initiating TLS - certificate has expired', 'CERT_EXPIRED'],
      ["Error initiating TLS - Hostname/IP does not match certificate's altnames: Host: smtp.example.fr. is not in the cert's altnames: DNS:*.mail.ovh.net", 'CERT_HOSTNAME'],
      ['Error initiating TLS - self-signed certificate', 'CERT_SELF_SIGNED'],
      ['Error initiating TLS - unable to verify the first certificate', 'CERT_INVALID'],
      ['Error initiating TLS - wrong version number', 'WRONG_TLS_MODE'],
      ['Error initiating TLS - socket hang up', 'TLS_HANDSHAKE'],
    ];
    for (const [message, network] of cases) {
      const failure = fromNodemailerError(nodemailerError({ code: 'ETLS', command: 'STARTTLS', message }));
      assert.deepEqual({ stage: failure.stage, network: failure.network }, { stage: 'tls', network }, message);
    }
  });

  test('timeouts, told apart by timeoutType', () => {
    const timeout = (timeoutType: string) => nodemailerError({ code: 'ETIMEDOUT', command: 'CONN', timeoutType, message: 'Timeout' });
    assert.deepEqual(fromNodemailerError(timeout('CONNECT_TIMEOUT')), { stage: 'connect', network: 'ETIMEDOUT', text: 'Timeout' });
    assert.equal(fromNodemailerError(timeout('GREETING_TIMEOUT')).network, 'GREETING_TIMEOUT');
    assert.equal(fromNodemailerError(timeout('GREETING_TIMEOUT'), { port: 465, secure: false }).network, 'WRONG_TLS_MODE');
    assert.equal(fromNodemailerError(timeout('GREETING_TIMEOUT'), { port: 465, secure: true }).network, 'GREETING_TIMEOUT');
    assert.deepEqual(fromNodemailerError(timeout('UPGRADE_TIMEOUT')).stage, 'tls');
    assert.deepEqual(fromNodemailerError(timeout('SOCKET_TIMEOUT'), { stage: 'message' }), {
      stage: 'message',
      network: 'SOCKET_TIMEOUT',
      text: 'Timeout',
    });
  });

  test('a transaction cut off by its overall deadline is RELAY_TIMEOUT, whatever step it was in', () => {
    const error = relayTimeoutError(2000);
    assert.deepEqual(fromNodemailerError(error), { stage: 'connect', network: 'RELAY_TIMEOUT', text: error.message });
    assert.equal(fromNodemailerError(error, { stage: 'message' }).stage, 'message');
  });

  test('client-side errors: credentials, OAuth2, size, addresses', () => {
    assert.equal(fromNodemailerError(nodemailerError({ code: 'EAUTH', command: 'API', message: 'Missing credentials for "PLAIN"' })).network, 'NO_CREDENTIALS');
    assert.equal(fromNodemailerError(nodemailerError({ code: 'ENOAUTH', message: 'Authentication info was not provided' })).network, 'NO_CREDENTIALS');
    assert.equal(fromNodemailerError(nodemailerError({ code: 'EOAUTH2', message: 'invalid_grant' })).network, 'OAUTH2_TOKEN');
    assert.deepEqual(
      fromNodemailerError(nodemailerError({ code: 'EMESSAGE', command: 'MAIL FROM', message: 'Message size larger than allowed 10485760' })).network,
      'MESSAGE_TOO_LARGE',
    );
    assert.deepEqual(
      fromNodemailerError(nodemailerError({ code: 'EENVELOPE', command: 'API', message: 'Invalid recipient "a b@c"' })),
      { stage: 'rcpt', network: 'INVALID_ADDRESS', text: 'Invalid recipient "a b@c"' },
    );
    assert.equal(fromNodemailerError(nodemailerError({ code: 'EENVELOPE', command: 'API', message: 'Invalid sender "x"' })).stage, 'mail');
  });

  test('a connection closed mid-session', () => {
    const failure = fromNodemailerError(nodemailerError({ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }), {
      stage: 'message',
    });
    assert.deepEqual(failure, { stage: 'message', network: 'CONNECTION_CLOSED', text: 'Connection closed unexpectedly' });
  });

  test('plain Node errors, aggregated attempts, causes, strings and nothing at all', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:587'), { code: 'ECONNREFUSED' });
    assert.equal(fromNodemailerError(refused).network, 'ECONNREFUSED');
    const aggregate = new AggregateError([refused, Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'all failed');
    assert.equal(fromNodemailerError(aggregate).network, 'ECONNREFUSED');
    assert.equal(fromNodemailerError(new Error('wrapped', { cause: { code: 'CERT_HAS_EXPIRED' } })).network, 'CERT_EXPIRED');
    assert.deepEqual(fromNodemailerError('boom'), { stage: 'connect', text: 'boom' });
    assert.deepEqual(fromNodemailerError(null), { stage: 'connect' });
    assert.deepEqual(fromNodemailerError(undefined, { stage: 'data' }), { stage: 'data' });
  });

  test('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const failure = fromNodemailerError(value);
        assert.equal(typeof failure.stage, 'string');
      }),
    );
  });
});

describe('sanitizeServerText', () => {
  test('only a real SMTP reply is shown', () => {
    assert.equal(sanitizeServerText({ text: 'connect ECONNREFUSED 10.0.0.1:587' }), undefined);
    assert.equal(sanitizeServerText({ code: 535, enhanced: '5.7.8', text: 'Error: authentication failed' }), '535 5.7.8 Error: authentication failed');
  });

  test('control and invisible characters go, lines are joined, length is capped', () => {
    const text = `Mailbox\r\nunavailable\u0000\u202e\u200b ${'x'.repeat(500)}`;
    const shown = sanitizeServerText({ code: 550, enhanced: '5.1.1', text }) ?? '';
    assert.ok(shown.startsWith('550 5.1.1 Mailbox unavailable x'));
    assert.equal(Array.from(shown).length, REPLY_MAX_LENGTH);
    assert.ok(shown.endsWith('…'));
  });

  test('a base64 token from an AUTH exchange is masked', () => {
    const shown = sanitizeServerText({ code: 535, text: 'Error: authentication failed: AHVzZXJAZXhhbXBsZS5vcmcAc2VjcmV0UGFzc3dvcmQx' });
    assert.equal(shown, '535 Error: authentication failed: […]');
  });
});
