import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSmtpReply } from './failure.ts';
import type { SmtpFailure, SmtpStage } from './failure.ts';
import { EXPLANATIONS } from './explanations.ts';
import type { ExplanationId } from './explanations.ts';
import { classify, REPLY_RULES, retryAfterHint } from './reply-classification.ts';
import type { FailureClass } from './reply-classification.ts';

const STAGES: readonly SmtpStage[] = ['dns', 'connect', 'greeting', 'tls', 'ehlo', 'auth', 'mail', 'rcpt', 'data', 'message'];

function reply(stage: SmtpStage, raw: string): SmtpFailure {
  const { code, enhanced, text } = parseSmtpReply(raw);
  const failure: SmtpFailure = { stage, text };
  if (code !== undefined) failure.code = code;
  if (enhanced !== undefined) failure.enhanced = enhanced;
  return failure;
}

/** Real replies from the providers Relais meets, at the step they arrive. */
const REPLIES: [SmtpStage, string, FailureClass, ExplanationId][] = [
  // Google
  ['auth', '535-5.7.8 Username and Password not accepted. For more information, go to 535 5.7.8  https://support.google.com/mail/?p=BadCredentials', 'relay-config', 'auth-failed'],
  ['auth', '534-5.7.9 Application-specific password required. For more information, go to\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor', 'relay-config', 'gmail-app-password-required'],
  ['auth', '534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1>\n534 5.7.14 Please log in via your web browser and then try again.', 'relay-config', 'gmail-app-password-required'],
  ['mail', '530-5.7.0 Authentication Required. For more information, go to\n530 5.7.0  https://support.google.com/mail/?p=WantAuthError', 'relay-config', 'auth-required'],
  ['mail', '530 5.7.0 Must issue a STARTTLS command first.', 'relay-config', 'starttls-required'],
  ['rcpt', '550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient\'s email address', 'recipient-permanent', 'recipient-unknown'],
  ['rcpt', '552-5.2.2 The email account that you tried to reach is over quota.', 'recipient-permanent', 'mailbox-full'],
  ['rcpt', '452-4.2.2 The email account that you tried to reach is over quota.', 'temporary', 'mailbox-full'],
  ['message', '552-5.2.3 Your message exceeded Google\'s message size limits.', 'message-rejected', 'message-too-large'],
  ['message', '550-5.7.1 [203.0.113.7] Our system has detected that this message is likely unsolicited mail.', 'message-rejected', 'message-rejected'],
  ['message', '552-5.7.0 This message was blocked because its content presents a potential security issue.', 'message-rejected', 'message-rejected'],
  ['mail', '550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to', 'temporary', 'daily-quota-exceeded'],
  ['mail', '550 5.4.5 Daily SMTP relay limit exceeded for customer.', 'temporary', 'daily-quota-exceeded'],
  ['mail', '421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address.', 'temporary', 'rate-limited'],
  ['auth', '454-4.7.0 Too many login attempts, please try again later.', 'temporary', 'rate-limited'],
  ['rcpt', '550 5.7.1 Invalid credentials for relay [203.0.113.7]. The IP address you\'ve registered in your G Suite SMTP Relay service doesn\'t match domain of the account this email is being sent from.', 'relay-config', 'relaying-denied'],
  // Microsoft 365 and Outlook.com
  ['auth', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.', 'relay-config', 'microsoft-smtp-auth-disabled'],
  ['auth', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.', 'relay-config', 'microsoft-smtp-auth-disabled'],
  ['auth', '535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.', 'relay-config', 'microsoft-smtp-auth-disabled'],
  ['auth', '535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.', 'relay-config', 'auth-failed'],
  ['auth', '535 5.7.3 Authentication unsuccessful [AM0PR02CA0001.eurprd02.prod.outlook.com]', 'relay-config', 'microsoft-smtp-auth-disabled'],
  ['auth', '550 5.7.30 Basic authentication is not supported for Client Submission.', 'relay-config', 'microsoft-basic-auth-retired'],
  ['message', '554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message.', 'relay-config', 'send-as-denied'],
  ['mail', '550 5.7.60 SMTP; Client does not have permissions to send as this sender', 'relay-config', 'send-as-denied'],
  ['message', '554 5.2.252 SendAsDenied; owner@contoso.com not allowed to send as formation@contoso.fr; STOREDRV.Submit; sender not allowed', 'relay-config', 'send-as-denied'],
  ['message', '554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception', 'temporary', 'daily-quota-exceeded'],
  ['mail', '530 5.7.57 Client not authenticated to send mail. [AM0PR02CA0001.eurprd02.prod.outlook.com]', 'relay-config', 'auth-required'],
  ['rcpt', '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain', 'relay-config', 'relaying-denied'],
  ['rcpt', '550 5.7.64 TenantAttribution; Relay Access Denied', 'relay-config', 'relaying-denied'],
  ['mail', '451 4.7.500 Server busy. Please try again later from [203.0.113.7]. (S77719)', 'temporary', 'rate-limited'],
  ['mail', '421 4.3.2 Service not available, closing transmission channel', 'temporary', 'rate-limited'],
  ['rcpt', '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', 'recipient-permanent', 'recipient-unknown'],
  ['message', '552 5.3.4 Message size exceeds fixed maximum message size', 'message-rejected', 'message-too-large'],
  ['greeting', '550 5.7.606 Access denied, banned sending IP [203.0.113.7].', 'relay-config', 'client-not-allowed'],
  // Postfix, the engine behind OVHcloud, Infomaniak, Ionos and most self-hosted relays
  ['rcpt', '553 5.7.1 <x@y.fr>: Sender address rejected: not owned by user u@y.fr', 'relay-config', 'send-as-denied'],
  ['rcpt', '554 5.7.1 <a@b.c>: Relay access denied', 'relay-config', 'relaying-denied'],
  ['mail', '530 5.7.0 Must issue a STARTTLS command first', 'relay-config', 'starttls-required'],
  ['rcpt', '550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table', 'recipient-permanent', 'recipient-unknown'],
  ['message', '552 5.3.4 Message size exceeds fixed limit', 'message-rejected', 'message-too-large'],
  ['auth', '535 5.7.8 Error: authentication failed: authentication failure', 'relay-config', 'auth-failed'],
  ['auth', '503 5.5.1 Error: authentication not enabled', 'relay-config', 'auth-not-supported'],
  ['rcpt', '553 5.1.8 <formation@exmaple.fr>: Sender address rejected: Domain not found', 'relay-config', 'sender-rejected'],
  ['rcpt', '450 4.1.8 <formation@exmaple.fr>: Sender address rejected: Domain not found', 'temporary', 'temporary-failure'],
  ['rcpt', '554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org', 'relay-config', 'client-not-allowed'],
  ['rcpt', '554 5.7.1 <someone@example.net>: Recipient address rejected: Access denied', 'recipient-permanent', 'recipient-rejected'],
  ['rcpt', '552 5.2.2 <someone@example.net>: Recipient address rejected: Mailbox full', 'recipient-permanent', 'mailbox-full'],
  ['rcpt', '450 4.2.0 <someone@example.net>: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/example.net.html', 'temporary', 'temporary-failure'],
  ['mail', '421 4.7.0 Try again later, closing connection.', 'temporary', 'rate-limited'],
  ['rcpt', '450 4.7.1 <someone@example.net>: Recipient address rejected: Rate limit exceeded', 'temporary', 'rate-limited'],
  ['message', '451 4.3.0 Error: queue file write error', 'temporary', 'temporary-failure'],
  ['mail', '452 4.3.1 Insufficient system storage', 'temporary', 'temporary-failure'],
  ['message', '554 5.7.1 Spam message rejected', 'message-rejected', 'message-rejected'],
  ['message', '550 5.6.0 Message rejected: malformed headers', 'message-rejected', 'message-rejected'],
  ['greeting', '554 5.7.1 No SMTP service here', 'relay-config', 'client-not-allowed'],
  // Sending services
  ['message', '550 The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements', 'relay-config', 'send-as-denied'],
  ['auth', '535 Authentication failed: Bad username / password', 'relay-config', 'auth-failed'],
  ['message', '554 Message rejected: Email address is not verified. The following identities failed the check in region EU-WEST-3: formation@example.fr', 'relay-config', 'send-as-denied'],
  ['mail', '454 Throttling failure: Maximum sending rate exceeded.', 'temporary', 'rate-limited'],
  ['message', '554 Throttling failure: Daily message quota exceeded.', 'temporary', 'daily-quota-exceeded'],
  ['rcpt', '550 5.7.1 Domain mg.example.fr is not allowed to send: Free accounts are for test purposes only.', 'relay-config', 'send-as-denied'],
  ['rcpt', '553 Relaying disallowed as formation@example.fr', 'relay-config', 'send-as-denied'],
  ['auth', '535 5.7.8 Authentication credentials invalid', 'relay-config', 'auth-failed'],
  // Exim and Sendmail
  ['rcpt', '550 relay not permitted', 'relay-config', 'relaying-denied'],
  ['rcpt', '550 5.7.1 <someone@example.net>... Relaying denied. Proper authentication required.', 'relay-config', 'relaying-denied'],
  ['rcpt', '550 No such user here', 'recipient-permanent', 'recipient-unknown'],
  ['mail', '538 5.7.11 Encryption required for requested authentication mechanism', 'relay-config', 'starttls-required'],
];

describe('classify: real replies', () => {
  for (const [stage, raw, expectedClass, explanation] of REPLIES) {
    test(`${stage}: ${raw.slice(0, 90)}`, () => {
      const result = classify(reply(stage, raw));
      assert.deepEqual({ class: result.class, explanation: result.explanation }, { class: expectedClass, explanation });
      assert.equal(result.retry !== undefined, expectedClass === 'temporary', 'retry is given exactly for temporary failures');
    });
  }
});

describe('classify: failures without a reply', () => {
  const cases: [SmtpFailure, FailureClass, ExplanationId][] = [
    [{ stage: 'connect', network: 'ECONNREFUSED' }, 'relay-config', 'connection-refused'],
    [{ stage: 'dns', network: 'ENOTFOUND' }, 'relay-config', 'host-not-found'],
    [{ stage: 'dns', network: 'DNS_TEMPORARY' }, 'temporary', 'temporary-failure'],
    [{ stage: 'connect', network: 'ETIMEDOUT' }, 'temporary', 'connection-timeout'],
    [{ stage: 'connect', network: 'EHOSTUNREACH' }, 'temporary', 'connection-timeout'],
    [{ stage: 'greeting', network: 'GREETING_TIMEOUT' }, 'temporary', 'greeting-timeout'],
    [{ stage: 'connect', network: 'RELAY_TIMEOUT' }, 'temporary', 'relay-timeout'],
    [{ stage: 'greeting', network: 'WRONG_TLS_MODE' }, 'relay-config', 'tls-mode-mismatch'],
    [{ stage: 'tls', network: 'WRONG_TLS_MODE' }, 'relay-config', 'tls-mode-mismatch'],
    [{ stage: 'tls', network: 'CERT_EXPIRED' }, 'relay-config', 'certificate-expired'],
    [{ stage: 'tls', network: 'CERT_HOSTNAME' }, 'relay-config', 'certificate-hostname-mismatch'],
    [{ stage: 'tls', network: 'CERT_SELF_SIGNED' }, 'relay-config', 'certificate-untrusted'],
    [{ stage: 'tls', network: 'CERT_INVALID' }, 'relay-config', 'certificate-untrusted'],
    [{ stage: 'tls', network: 'TLS_HANDSHAKE' }, 'relay-config', 'tls-handshake-failed'],
    [{ stage: 'data', network: 'ECONNRESET' }, 'temporary', 'connection-lost'],
    [{ stage: 'message', network: 'EPIPE' }, 'temporary', 'connection-lost'],
    [{ stage: 'message', network: 'CONNECTION_CLOSED' }, 'temporary', 'connection-lost'],
    [{ stage: 'message', network: 'SOCKET_TIMEOUT' }, 'temporary', 'connection-lost'],
    [{ stage: 'rcpt', network: 'ETIMEDOUT' }, 'temporary', 'connection-lost'],
    [{ stage: 'message', text: 'no final reply after DATA' }, 'temporary', 'connection-lost'],
    [{ stage: 'greeting', network: 'NOT_SMTP' }, 'relay-config', 'not-smtp-server'],
    [{ stage: 'auth', network: 'NO_CREDENTIALS' }, 'relay-config', 'auth-required'],
    [{ stage: 'auth', network: 'OAUTH2_TOKEN' }, 'relay-config', 'oauth-authorization-expired'],
    [{ stage: 'auth', text: 'Invalid login' }, 'relay-config', 'auth-failed'],
    [{ stage: 'mail', network: 'MESSAGE_TOO_LARGE' }, 'message-rejected', 'message-too-large'],
    [{ stage: 'rcpt', network: 'INVALID_ADDRESS' }, 'recipient-permanent', 'recipient-unknown'],
    [{ stage: 'mail', network: 'INVALID_ADDRESS' }, 'relay-config', 'sender-rejected'],
    [{ stage: 'connect', network: 'SOMETHING_NEW' }, 'temporary', 'unexpected-reply'],
    [{ stage: 'ehlo', code: 250, text: 'unexpected' }, 'temporary', 'unexpected-reply'],
  ];
  for (const [failure, expectedClass, explanation] of cases) {
    test(`${failure.stage} ${failure.network ?? failure.code ?? failure.text}`, () => {
      const result = classify(failure);
      assert.deepEqual({ class: result.class, explanation: result.explanation }, { class: expectedClass, explanation });
    });
  }
});

describe('classify: retries', () => {
  test('a throttled reply waits at least five minutes', () => {
    assert.deepEqual(classify(reply('mail', '421 4.7.0 Try again later, closing connection.')).retry, { minDelaySeconds: 300 });
  });

  test('the server’s own delay wins when longer', () => {
    const result = classify(reply('rcpt', '450 4.2.1 The user you are trying to contact is receiving mail too quickly, try again in 15 minutes'));
    assert.deepEqual(result, { class: 'temporary', explanation: 'temporary-failure', retry: { minDelaySeconds: 900 } });
    assert.deepEqual(classify(reply('mail', '421 4.7.0 Try again in 600 seconds')).retry, { minDelaySeconds: 600 });
  });

  test('a daily quota waits an hour', () => {
    assert.deepEqual(classify(reply('mail', '550 5.4.5 Daily user sending limit exceeded.')).retry, { minDelaySeconds: 3600 });
  });

  test('a plain temporary failure leaves the delay to the retry policy', () => {
    assert.deepEqual(classify(reply('message', '451 4.3.0 Error: queue file write error')).retry, {});
  });

  test('a client-side description is not read as a server’s delay', () => {
    assert.deepEqual(classify({ stage: 'connect', network: 'ETIMEDOUT', text: 'try again in 5 hours' }).retry, {});
  });
});

describe('classify: properties', () => {
  const stage = fc.constantFrom(...STAGES);
  const enhanced = fc.option(
    fc.tuple(fc.constantFrom('2', '4', '5'), fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 })).map((parts) => parts.join('.')),
    { nil: undefined },
  );
  const text = fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.constantFrom(...REPLIES.map(([, raw]) => parseSmtpReply(raw).text)),
  );
  const network = fc.option(fc.constantFrom('ECONNRESET', 'CONNECTION_CLOSED', 'CERT_EXPIRED', 'ECONNREFUSED'), { nil: undefined });

  test('every 4xx reply is temporary, whatever its text, stage or enhanced code', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 499 }), enhanced, text, stage, network, (code, enhancedCode, replyText, at, net) => {
        const failure: SmtpFailure = { stage: at, code, text: replyText };
        if (enhancedCode !== undefined) failure.enhanced = enhancedCode;
        if (net !== undefined) failure.network = net;
        const result = classify(failure);
        assert.equal(result.class, 'temporary');
        assert.ok(result.retry);
      }),
    );
  });

  test('no 5xx reply is retried unless a rule says so (daily quotas)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 599 }), enhanced, text, stage, (code, enhancedCode, replyText, at) => {
        const failure: SmtpFailure = { stage: at, code, text: replyText };
        if (enhancedCode !== undefined) failure.enhanced = enhancedCode;
        const result = classify(failure);
        if (result.class === 'temporary') assert.equal(result.explanation, 'daily-quota-exceeded');
      }),
    );
  });

  test('classification never throws and always names a catalog entry', () => {
    fc.assert(
      fc.property(
        stage,
        fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
        enhanced,
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        (at, code, enhancedCode, replyText, net) => {
          const failure: SmtpFailure = { stage: at };
          if (code !== undefined) failure.code = code;
          if (enhancedCode !== undefined) failure.enhanced = enhancedCode;
          if (replyText !== undefined) failure.text = replyText;
          if (net !== undefined) failure.network = net;
          assert.ok(classify(failure).explanation in EXPLANATIONS);
        },
      ),
    );
  });
});

describe('the table', () => {
  test('every explanation of the catalog can be reached', () => {
    const reached = new Set<string>([...REPLY_RULES.map((rule) => rule.then.explanation), 'unexpected-reply']);
    assert.deepEqual(Object.keys(EXPLANATIONS).filter((id) => !reached.has(id)), []);
  });

  test('rule names are unique', () => {
    const names = REPLY_RULES.map((rule) => rule.name);
    assert.equal(new Set(names).size, names.length);
  });
});

describe('retryAfterHint', () => {
  const cases: [string, number | undefined][] = [
    ['421 4.7.0 Try again in 300 seconds', 300],
    ['450 4.2.1 Mailbox busy, try again in 15 minutes', 900],
    ['451 Temporary local problem - retry in 5 min', 300],
    ['421 Too many connections, please retry after 2 hours', 7200],
    ['450 4.7.1 Please try again later (600)', 600],
    ['421 Rate limited. Try again in 30s', 30],
    ['451 4.7.1 Please wait 90 seconds before sending again', 90],
    ['421 4.3.2 Réessayez dans 10 minutes', 600],
    ['421 4.7.0 Try again later, closing connection.', undefined],
    ['451 4.7.500 Server busy. Please try again later from [203.0.113.7]. (S77719)', undefined],
    ['450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages', undefined],
    ['452 4.5.3 Error: too many recipients, 50 max', undefined],
    ['421 Try again in 0 seconds', undefined],
    ['421 Try again in 9999 hours', 86400],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    test(`${JSON.stringify(text)} → ${expected}`, () => assert.equal(retryAfterHint(text), expected));
  }

  test('any text gives undefined or a delay between a second and a day', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const hint = retryAfterHint(text);
        assert.ok(hint === undefined || (hint >= 1 && hint <= 86400));
      }),
    );
  });
});
