// The flight check against real SMTP servers: smtp-server fixtures answering with real
// providers' replies at every step. Security detection and the real Postfix have their own files.
// Loopback plan: 127.0.0.21–23 here, 24–25 security detection, 29 Postfix (the CLI tests use 26–28 and 30).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstFailure, passed, runFlightCheck } from './flight-check.ts';
import type { StepExplanationId as ExplanationId } from './flight-check.ts';
import type { PresetId } from '../glossary.ts';
import { startNonSmtpServer, HTTP_BAD_REQUEST } from '../../test/support/smtp-fixture.ts';
import { TEST_CA } from '../../test/support/tls.ts';
import { GUARD, FAST, USER, baseInput, checkBoth, step, assertFailsAt, assertNoSecret, withFixture, always } from '../../test/support/flight-check-suite.ts';

describe('flight check: address guard and network', () => {
  test('a host the guard refuses fails the dns step without opening any socket', async () => {
    await withFixture({ host: '127.0.0.21', port: 587 }, async (fixture) => {
      const strict = { allowedPorts: [25, 465, 587, 2525], allowPrivate: false };
      const reports = await checkBoth(baseInput(fixture, 'starttls'), { guard: strict });
      assertFailsAt(reports, 'dns', 'address-not-allowed');
      assert.match(step(reports.en, 'dns').detail, /loopback/);
      assert.match(step(reports.fr, 'dns').detail, /Relais ne se connecte qu’à des serveurs publics/);
      assert.equal(fixture.connections, 0);
    });
  });

  test('a port outside the allowed list, a URL for a host, a name that does not exist', async () => {
    assertFailsAt(await checkBoth({ ...baseInput({ host: '127.0.0.21', port: 8025 }, 'starttls') }), 'dns', 'port-not-allowed');
    assertFailsAt(await checkBoth({ ...baseInput({ host: 'https://smtp.example.com', port: 587 }, 'starttls') }), 'dns', 'host-invalid');
    const resolver = {
      lookup: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
    };
    const notFound = await checkBoth(baseInput({ host: 'smtp.gmial.com', port: 587 }, 'starttls'), { guard: { ...GUARD, resolver } });
    assertFailsAt(notFound, 'dns', 'host-not-found');
    assert.equal(step(notFound.fr, 'dns').detail, 'smtp.gmial.com n’existe pas dans le DNS.');
  });

  test('a closed port fails the connect step, with a coarse duration', async () => {
    const reports = await checkBoth(baseInput({ host: '127.0.0.23', port: 2525 }, 'starttls'));
    assertFailsAt(reports, 'connect', 'connection-refused');
    assert.equal(step(reports.en, 'connect').durationMs, 1000);
    assert.equal(step(reports.en, 'connect').detail, 'The connection was refused on port 2525.');
  });

  test('with padFailureTiming, a refused connection answers no sooner than its reported duration', async () => {
    const started = performance.now();
    const report = await runFlightCheck(
      { ...baseInput({ host: '127.0.0.23', port: 2525 }, 'starttls'), locale: 'en' },
      { guard: GUARD, timeouts: FAST, padFailureTiming: true },
    );
    assert.equal(step(report, 'connect').durationMs, 1000);
    assert.ok(performance.now() - started >= 990, 'held back until the reported second has passed');
  });

  test('a server that never greets fails the greeting step on timeout', async () => {
    await withFixture({ host: '127.0.0.21', port: 587, script: { connect: always('hang' as const) } }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'starttls'));
      assertFailsAt(reports, 'greeting', 'greeting-timeout');
      assert.equal(step(reports.en, 'greeting').detail, 'No greeting within 0.4 s.');
      assert.equal(step(reports.en, 'greeting').durationMs, 1000);
    });
  });

  test('a server refusing the session (554 at the greeting) fails the greeting step', async () => {
    const script = { connect: always({ code: 554, text: '5.7.1 Client host [127.0.0.1] blocked using zen.spamhaus.org' }) };
    await withFixture({ host: '127.0.0.21', port: 587, script }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'starttls'));
      assertFailsAt(reports, 'greeting', 'client-not-allowed');
      assert.match(firstFailure(reports.en)?.explanation?.reply ?? '', /^554 5\.7\.1 Client host/);
    });
  });

  test('an SSH or web server on the port: not an SMTP server, and its banner is never echoed', async () => {
    const ssh = await startNonSmtpServer({ host: '127.0.0.23', port: 25 });
    try {
      const reports = await checkBoth(baseInput(ssh, 'starttls'));
      assertFailsAt(reports, 'greeting', 'not-smtp-server');
      assert.ok(!JSON.stringify(reports).includes('OpenSSH'));
    } finally {
      await ssh.close();
    }
    const web = await startNonSmtpServer({ host: '127.0.0.23', port: 25, banner: '', reply: HTTP_BAD_REQUEST });
    try {
      const reports = await checkBoth(baseInput(web, 'tls'));
      assert.equal(firstFailure(reports.en)?.id, 'tls');
      assert.ok(!JSON.stringify(reports).includes('HTTP/1.1'));
      assert.ok(!JSON.stringify(reports).includes('Bad Request'));
    } finally {
      await web.close();
    }
  });
});

describe('flight check: TLS', () => {
  test('an expired certificate fails the TLS step, and the password is never sent', async () => {
    await withFixture({ host: '127.0.0.21', port: 587, cert: 'expired' }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'starttls'));
      assertFailsAt(reports, 'tls', 'certificate-expired');
      const tls = step(reports.en, 'tls');
      assert.equal(tls.detail, 'The certificate expired on 2021-01-01.');
      assert.equal(tls.data?.certificate?.validTo, '2021-01-01T00:00:00.000Z');
      assert.equal(tls.data?.certificate?.issuer, 'Relais Test CA');
      assert.equal(step(reports.fr, 'tls').detail, 'Le certificat a expiré le 01/01/2021.');
      assert.equal(fixture.authAttempts.length, 0);
    });
  });

  test('a certificate for another host fails the TLS step and names the host it is for', async () => {
    await withFixture({ host: '127.0.0.22', port: 465, security: 'tls', cert: 'wronghost' }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'tls'));
      assertFailsAt(reports, 'tls', 'certificate-hostname-mismatch');
      assert.equal(step(reports.en, 'tls').data?.certificate?.hostnameMatch, false);
      assert.deepEqual(step(reports.en, 'tls').data?.certificate?.subjectAltNames, ['other.example']);
      assert.equal(step(reports.en, 'tls').detail, 'The certificate is for other.example, not 127.0.0.22.');
      assert.equal(fixture.authAttempts.length, 0);
    });
  });

  test('a self-signed certificate fails, unless self-signed certificates are allowed (then a warning)', async () => {
    await withFixture({ host: '127.0.0.21', port: 587, cert: 'selfsigned' }, async (fixture) => {
      assertFailsAt(await checkBoth(baseInput(fixture, 'starttls')), 'tls', 'certificate-untrusted');
      const allowed = await checkBoth(baseInput(fixture, 'starttls', { allowSelfSigned: true }));
      for (const report of [allowed.fr, allowed.en]) {
        assert.equal(passed(report), true);
        assert.equal(step(report, 'tls').status, 'warn');
        assert.equal(step(report, 'tls').explanation?.id, 'certificate-not-verified');
        assert.equal(step(report, 'auth').status, 'ok');
      }
    });
  });

  test('implicit TLS configured on a STARTTLS port: the mode mix-up is named', async () => {
    await withFixture({ host: '127.0.0.21', port: 587, security: 'starttls' }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'tls'));
      assertFailsAt(reports, 'tls', 'tls-mode-mismatch');
      assert.deepEqual(
        reports.en.steps.map((s) => s.id),
        ['dns', 'connect', 'tls', 'greeting', 'ehlo', 'auth', 'sender', 'recipient', 'test-email'],
      );
    });
  });

  test('STARTTLS configured on an implicit TLS port: the silent server is found to expect TLS', async () => {
    await withFixture({ host: '127.0.0.22', port: 465, security: 'tls' }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'starttls'));
      assertFailsAt(reports, 'greeting', 'tls-mode-mismatch');
      assert.equal(step(reports.en, 'greeting').detail, 'The server waits for TLS from the first byte (implicit TLS), but the connection started in plain text.');
    });
  });

  test('STARTTLS required by the settings but not offered by the server', async () => {
    await withFixture({ host: '127.0.0.21', port: 587, security: 'none' }, async (fixture) => {
      assertFailsAt(await checkBoth(baseInput(fixture, 'starttls')), 'tls', 'starttls-not-offered');
    });
  });
});

describe('flight check: authentication', () => {
  const cases: { name: string; reply: { code: number; text: string }; preset?: PresetId; explanation: ExplanationId }[] = [
    { name: 'wrong password (535 5.7.8)', reply: { code: 535, text: '5.7.8 Username and Password not accepted.' }, explanation: 'auth-failed' },
    {
      name: 'Gmail app password required (534-5.7.9)',
      reply: { code: 534, text: '5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor' },
      preset: 'gmail',
      explanation: 'gmail-app-password-required',
    },
    {
      name: 'Microsoft SMTP AUTH disabled (535 5.7.139)',
      reply: {
        code: 535,
        text: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.',
      },
      preset: 'microsoft-365',
      explanation: 'microsoft-smtp-auth-disabled',
    },
    {
      name: 'Microsoft basic authentication retired (550 5.7.30)',
      reply: { code: 550, text: '5.7.30 Basic authentication is not supported for Client Submission.' },
      preset: 'microsoft-365',
      explanation: 'microsoft-basic-auth-retired',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      await withFixture({ host: '127.0.0.21', port: 587, script: { auth: always(c.reply) } }, async (fixture) => {
        const reports = await checkBoth(baseInput(fixture, 'starttls', c.preset ? { preset: c.preset } : {}));
        assertFailsAt(reports, 'auth', c.explanation);
        assert.equal(firstFailure(reports.en)?.explanation?.reply, `${c.reply.code} ${c.reply.text}`.slice(0, 199) + (`${c.reply.code} ${c.reply.text}`.length > 200 ? '…' : ''));
        assertNoSecret(reports.fr);
        assertNoSecret(reports.en);
      });
    });
  }

  test('AUTH before STARTTLS (security none on a STARTTLS-only server): 530 5.7.0', async () => {
    await withFixture({ host: '127.0.0.21', port: 587, security: 'starttls-required' }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'none'));
      assertFailsAt(reports, 'auth', 'starttls-required');
      assert.equal(step(reports.en, 'tls').status, 'warn');
      assert.equal(step(reports.en, 'tls').explanation?.id, 'starttls-not-used');
      assert.equal(firstFailure(reports.en)?.explanation?.reply, '530 5.7.0 Must issue a STARTTLS command first');
    });
  });

  test('a user name without a password is not sent', async () => {
    await withFixture({ host: '127.0.0.21', port: 587 }, async (fixture) => {
      assertFailsAt(await checkBoth(baseInput(fixture, 'starttls', { password: '' })), 'auth', 'auth-required');
      assert.equal(fixture.authAttempts.length, 0);
    });
  });
});

describe('flight check: sender and recipient', () => {
  test('Microsoft send-as refusal at MAIL FROM (550 5.7.60)', async () => {
    const script = { mail: always({ code: 550, text: '5.7.60 SMTP; Client does not have permissions to send as this sender' }) };
    await withFixture({ host: '127.0.0.21', port: 587, script }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'starttls', { preset: 'microsoft-365', fromEmail: 'direction@ecole-exemple.fr' }));
      assertFailsAt(reports, 'sender', 'send-as-denied');
      assert.equal(step(reports.en, 'sender').data?.sender, 'direction@ecole-exemple.fr');
    });
  });

  test('Postfix-style sender not owned by the user (553 5.7.1)', async () => {
    const script = {
      mail: always({ code: 553, text: `5.7.1 <direction@ecole-exemple.fr>: Sender address rejected: not owned by user ${USER}` }),
    };
    await withFixture({ host: '127.0.0.21', port: 587, script }, async (fixture) => {
      assertFailsAt(await checkBoth(baseInput(fixture, 'starttls', { fromEmail: 'direction@ecole-exemple.fr' })), 'sender', 'send-as-denied');
    });
  });

  test('a recipient refused at RCPT TO', async () => {
    const script = { rcpt: always({ code: 550, text: '5.1.1 <nobody@ecole-exemple.fr>: Recipient address rejected: User unknown in virtual mailbox table' }) };
    await withFixture({ host: '127.0.0.21', port: 587, script }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'starttls', { toEmail: 'nobody@ecole-exemple.fr' }));
      assertFailsAt(reports, 'recipient', 'recipient-unknown');
      assert.equal(step(reports.en, 'sender').status, 'ok');
    });
  });

  test('the test email refused after DATA (Microsoft SendAsDenied)', async () => {
    const script = {
      data: always({
        code: 554,
        text: '5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception',
      }),
    };
    await withFixture({ host: '127.0.0.21', port: 587, script }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'starttls', { sendTestEmail: true, preset: 'microsoft-365' }));
      assertFailsAt(reports, 'test-email', 'send-as-denied');
      assert.equal(reports.en.testEmail?.accepted, false);
      assert.equal(fixture.messages.length, 0);
    });
  });
});

describe('flight check: everything passes', () => {
  test('every step passes, steps are reported live, and the test email arrives', async () => {
    await withFixture({ host: '127.0.0.21', port: 587, size: 25_000_000 }, async (fixture) => {
      const live: string[] = [];
      const report = await runFlightCheck(
        { ...baseInput(fixture, 'starttls', { sendTestEmail: true, toEmail: 'owner@ecole-exemple.fr' }), locale: 'fr' },
        { guard: GUARD, ca: [TEST_CA], timeouts: FAST, onStep: (s) => live.push(`${s.id}:${s.status}`) },
      );
      assert.equal(passed(report), true);
      assert.equal(report.passed, true);
      assert.deepEqual(live, ['dns:ok', 'connect:ok', 'greeting:ok', 'tls:ok', 'ehlo:ok', 'auth:ok', 'sender:ok', 'recipient:ok', 'test-email:ok']);
      assert.equal(step(report, 'tls').data?.tlsVersion, 'TLSv1.3');
      assert.equal(step(report, 'tls').data?.certificate?.subject, 'relay.test');
      assert.equal(step(report, 'tls').data?.certificate?.hostnameMatch, true);
      assert.deepEqual(step(report, 'ehlo').data?.capabilities, {
        size: 25_000_000,
        pipelining: true,
        chunking: false,
        smtputf8: true,
        eightBitMime: true,
        authMechanisms: ['PLAIN', 'LOGIN'],
        starttls: true,
      });
      assert.equal(step(report, 'auth').data?.authMechanism, 'PLAIN');
      assertNoSecret(report);

      const [message] = await fixture.waitForMessages(1);
      assert.ok(message);
      assert.deepEqual(message.envelope, { from: USER, to: ['owner@ecole-exemple.fr'] });
      assert.equal(message.secure, true);
      assert.equal(message.authUser, USER);
      assert.equal(message.parsed.subject, 'Relais : e-mail de test / test email');
      assert.equal(message.parsed.messageId, report.testEmail?.messageId);
      assert.equal(message.parsed.headers.get('x-relais-flight-check'), 'test-email');
      assert.match(message.parsed.text ?? '', /Cet e-mail de test a été envoyé par Relais/);
      assert.match(message.parsed.text ?? '', /This test email was sent by Relais/);
      assert.deepEqual(report.testEmail && { accepted: report.testEmail.accepted, to: report.testEmail.to }, { accepted: true, to: 'owner@ecole-exemple.fr' });
      assert.equal(step(report, 'test-email').data?.reply, '250 2.0.0 Ok: queued');
    });
  });

  test('without a test email, the transaction is reset and nothing is sent', async () => {
    await withFixture({ host: '127.0.0.22', port: 465, security: 'tls' }, async (fixture) => {
      const reports = await checkBoth(baseInput(fixture, 'tls'));
      assert.equal(passed(reports.en), true);
      assert.deepEqual(
        reports.en.steps.map((s) => `${s.id}:${s.status}`),
        ['dns:ok', 'connect:ok', 'tls:ok', 'greeting:ok', 'ehlo:ok', 'auth:ok', 'sender:ok', 'recipient:ok', 'test-email:skipped'],
      );
      assert.equal(step(reports.fr, 'test-email').detail, 'Aucun e-mail de test demandé.');
      assert.equal(fixture.messages.length, 0);
    });
  });

  test('a greeting from an unrelated domain warns of interception; one from the same domain does not', async () => {
    const resolver = { lookup: async () => [{ address: '127.0.0.21', family: 4 as const }] };
    await withFixture({ host: '127.0.0.21', port: 587, hostname: 'smtp-proxy.hosting-network.example' }, async () => {
      const reports = await checkBoth(baseInput({ host: 'smtp.relay.test', port: 587 }, 'starttls'), { guard: { ...GUARD, resolver } });
      const greeting = step(reports.en, 'greeting');
      assert.equal(greeting.status, 'warn');
      assert.equal(greeting.explanation?.id, 'greeting-host-unrelated');
      assert.equal(greeting.data?.greetingHost, 'smtp-proxy.hosting-network.example');
      assert.equal(passed(reports.en), true, 'a warning does not fail the check');
    });
    await withFixture({ host: '127.0.0.21', port: 587, hostname: 'mx3.relay.test' }, async () => {
      const report = await runFlightCheck(
        { ...baseInput({ host: 'smtp.relay.test', port: 587 }, 'starttls'), locale: 'en' },
        { guard: { ...GUARD, resolver }, ca: [TEST_CA], timeouts: FAST },
      );
      assert.equal(step(report, 'greeting').status, 'ok');
      assert.equal(step(report, 'dns').detail, 'smtp.relay.test resolves to 127.0.0.21.');
    });
  });
});
