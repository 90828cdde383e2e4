// The platform sender (RELAIS_PLATFORM_SMTP_URL) never hands its credentials over in clear
// unless the operator said so with ?starttls=never: with credentials, STARTTLS is required.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../logger.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { startSmtpFixture, type FixtureSecurity, type SmtpFixture } from '../../test/support/smtp-fixture.ts';
import { TEST_CA } from '../../test/support/tls.ts';
import { parseSmtpUrl } from './nodemailer-transport.ts';

const USER = 'platform@platform.example';
const PASSWORD = 'pl4tform-s3cret-pw';

describe('parseSmtpUrl: how the platform sender connects', () => {
  const CASES: [string, { security: string; opportunisticTls: boolean }][] = [
    ['smtp://u:p@smtp.example.com:587', { security: 'starttls', opportunisticTls: true }],
    ['smtp://u:p@smtp.example.com:587?starttls=required', { security: 'starttls', opportunisticTls: true }],
    ['smtp://u:p@smtp.example.com:587?starttls=never', { security: 'none', opportunisticTls: false }],
    ['smtp://smtp.example.com:25', { security: 'none', opportunisticTls: true }],
    ['smtp://smtp.example.com:25?starttls=required', { security: 'starttls', opportunisticTls: true }],
    ['smtp://smtp.example.com:25?starttls=never', { security: 'none', opportunisticTls: false }],
    ['smtps://u:p@smtp.example.com', { security: 'tls', opportunisticTls: false }],
  ];
  for (const [url, expected] of CASES) {
    test(url, () => {
      const s = parseSmtpUrl(url);
      assert.deepEqual({ security: s.security, opportunisticTls: s.opportunisticTls }, expected);
    });
  }
});

describe('the platform sender with credentials', () => {
  let smtp: SmtpFixture | undefined;
  let t: TestApp | undefined;
  let logLines: string[] = [];

  afterEach(async () => {
    await t?.close();
    await smtp?.close();
    t = undefined;
    smtp = undefined;
  });

  async function setUp(security: FixtureSecurity, query = '') {
    smtp = await startSmtpFixture({ security, auth: { username: USER, password: PASSWORD } });
    logLines = [];
    const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
    t = await createTestApp({
      env: { RELAIS_PLATFORM_SMTP_URL: `smtp://${encodeURIComponent(USER)}:${PASSWORD}@127.0.0.1:${smtp.port}${query}` },
      deps: { logger, smtpCa: [TEST_CA] },
    });
    await t.app.relais.organizations.create({ id: 'acme', name: 'Acme' });
    return { smtp, t };
  }

  async function sendOne(app: TestApp) {
    const res = await app.app.inject({ method: 'POST', url: '/v1/organizations/acme/messages', headers: app.auth, payload: { to: 'lea@example.org', subject: 'Bonjour', text: 'x' } });
    assert.equal(res.statusCode, 202, res.body);
    await app.app.relais.dispatcher.runOnce();
    return (await app.app.inject({ method: 'GET', url: `/v1/organizations/acme/messages/${res.json().id}`, headers: app.auth })).json();
  }

  test('a server that does not offer STARTTLS: nothing is sent, the credentials never leave, the failure says why', async () => {
    const { smtp, t } = await setUp('none');
    const message = await sendOne(t);
    assert.equal(message.status, 'deferred', 'kept for a retry: the operator can fix the sender');
    assert.equal(smtp.messages.length, 0);
    assert.deepEqual(smtp.authAttempts, [], 'no AUTH was ever sent');
    assert.ok(smtp.sessions.length > 0, 'the server was reached');
    assert.ok(smtp.sessions.every((s) => s.events.every((e) => e.command !== 'AUTH' && e.command !== 'MAIL')));
    assert.equal(message.history[0].route, 'platform');
    assert.match(message.history[0].errorCode, /tls/i, JSON.stringify(message.history[0]));
    assert.equal(message.history[0].classification, 'relay-config');
  });

  test('a server that offers STARTTLS: the credentials and the message go over TLS', async () => {
    const { smtp, t } = await setUp('starttls');
    const message = await sendOne(t);
    assert.equal(message.status, 'sent', JSON.stringify(message.history));
    const [mail] = await smtp.waitForMessages(1);
    assert.equal(mail?.secure, true);
    assert.equal(mail?.authUser, USER);
  });

  test('?starttls=never: plain text as the operator asked, and one start-up warning that does not hold the password', async () => {
    const { smtp, t } = await setUp('none', '?starttls=never');
    const message = await sendOne(t);
    assert.equal(message.status, 'sent', JSON.stringify(message.history));
    const [mail] = await smtp.waitForMessages(1);
    assert.equal(mail?.secure, false);
    const warnings = logLines.filter((l) => l.includes('starttls=never'));
    assert.equal(warnings.length, 1, logLines.join(''));
    assert.match(warnings[0] ?? '', /plain text/);
    assert.match(warnings[0] ?? '', /"level":40/);
    for (const line of logLines) {
      assert.ok(!line.includes(PASSWORD), 'the password is in no log line');
    }
  });

  test('without ?starttls=never no such warning is logged', async () => {
    await setUp('starttls');
    assert.equal(logLines.filter((l) => l.includes('starttls=never')).length, 0);
  });
});
