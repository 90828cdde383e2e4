// A real MTA as the organization's relay: Postfix submission on 127.0.0.13:587 (STARTTLS
// required, SASL through Dovecot, senders bound to logins), relaying what it accepts to a
// capture server on 127.0.0.14. Verified and activated through the API, a message of the
// organization arrives with its From, its envelope sender, and Postfix's own Received header.
// In CI a missing MTA fails the run; locally it skips with the reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postfixSubmission, postfixSuiteSkip, usePostfixRelay } from '../../../test/support/postfix-suite.ts';
import { assertNoLeak, createOrganization, createRelayTestApp, relayBody, type RelayTestApp } from '../../../test/support/relays.ts';

describe('an organization relay on a real Postfix', { skip: postfixSuiteSkip() }, () => {
  const mta = usePostfixRelay({ host: '127.0.0.13', captureHost: '127.0.0.14', capturePort: 2525 });
  let t: RelayTestApp;
  const bodies: string[] = [];

  before(async () => {
    t = await createRelayTestApp({ env: { RELAIS_ALLOW_PRIVATE_SMTP_HOSTS: 'true' } });
    await createOrganization(t, 'school');
  });
  after(async () => {
    await t?.close();
  });

  const api = async (method: 'PUT' | 'POST' | 'GET', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url: `/v1/organizations/school/${url}`, headers: t.auth, ...(payload ? { payload } : {}) });
    bodies.push(res.body);
    return res;
  };

  test('verified and activated, the message arrives through Postfix as the organization', async () => {
    const saved = await api(
      'PUT',
      'smtp-relay',
      relayBody({ ...postfixSubmission(mta.postfix), fromName: 'École des Tilleuls' }),
    );
    assert.equal(saved.statusCode, 201, saved.body);

    const verified = await api('POST', 'smtp-relay/verify');
    assert.equal(verified.json().passed, true, `${verified.body}\n(Postfix log: ${mta.postfix.logFile})`);
    const tls = verified.json().report.steps.find((step: { id: string }) => step.id === 'tls');
    assert.match(tls?.data?.tlsVersion ?? '', /^TLSv1\.[23]$/, JSON.stringify(tls));
    const active = await api('POST', 'smtp-relay/activate');
    assert.equal(active.json().status, 'active', active.body);

    const subject = 'Convocation à la session du 12 mars';
    const queued = await api('POST', 'messages', { to: 'lea@example.org', subject, text: 'Bonjour Léa.' });
    assert.equal(queued.statusCode, 202, queued.body);
    await t.app.relais.dispatcher.runOnce();

    const record = (await api('GET', `messages/${queued.json().id}`)).json();
    assert.equal(record.status, 'sent', JSON.stringify(record));
    assert.equal(record.route, 'relay');
    assert.match(record.lastReply, /^250 2\.0\.0 Ok: queued as /, 'the reply is Postfix’s');

    const [arrived] = await mta.capture.waitForMessages(1, 15_000);
    assert.ok(arrived);
    assert.equal(arrived.parsed.subject, subject);
    assert.equal(arrived.parsed.from?.text, `"École des Tilleuls" <${mta.postfix.ownedSender}>`);
    assert.equal(arrived.envelope.from, mta.postfix.ownedSender);
    assert.deepEqual(arrived.envelope.to, ['lea@example.org']);
    assert.equal(arrived.parsed.messageId, record.messageId);
    const received = [arrived.parsed.headers.get('received')].flat().join('\n');
    assert.match(received, /ESMTPSA/, 'Postfix received it over TLS with SASL authentication');
  });

  test('a wrong password fails verification with Postfix’s reply, and activation is refused', async () => {
    const saved = await api(
      'PUT',
      'smtp-relay',
      relayBody({ ...postfixSubmission(mta.postfix), password: 'not-the-password', fromName: 'École des Tilleuls' }),
    );
    assert.equal(saved.json().status, 'unverified');
    const verified = await api('POST', 'smtp-relay/verify');
    assert.equal(verified.json().passed, false);
    const failed = verified.json().report.steps.find((step: { status: string }) => step.status === 'fail');
    assert.equal(failed?.id, 'auth', JSON.stringify(failed));
    assert.equal(failed?.explanation?.id, 'auth-failed');
    assert.match(failed?.explanation?.reply ?? '', /^535 5\.7\.8/);
    const refused = await api('POST', 'smtp-relay/activate');
    assert.equal(refused.json().error.code, 'relay_not_verified');
  });

  test('the passwords appear in no response and no log line', () => {
    assertNoLeak(bodies, mta.postfix.password, mta.postfix.username);
    assertNoLeak(t.logs, mta.postfix.password, mta.postfix.username);
  });
});
