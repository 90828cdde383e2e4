// Security detection against smtp-server fixtures: which of the usual ports offer implicit TLS,
// STARTTLS or nothing, and which the guard refuses. Loopback: 127.0.0.24–25.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectSecurity } from './flight-check.ts';
import { startSmtpFixture } from '../../test/support/smtp-fixture.ts';
import { TEST_CA } from '../../test/support/tls.ts';
import { GUARD, USER, PASSWORD } from '../../test/support/flight-check-suite.ts';

describe('security detection', () => {
  test('finds implicit TLS on 465 and STARTTLS on 587, refused 2525, and skips ports not allowed', async () => {
    const implicit = await startSmtpFixture({ host: '127.0.0.24', port: 465, security: 'tls', auth: { username: USER, password: PASSWORD } });
    const submission = await startSmtpFixture({ host: '127.0.0.24', port: 587, security: 'starttls', auth: { username: USER, password: PASSWORD } });
    try {
      const detection = await detectSecurity('127.0.0.24', {
        guard: { allowedPorts: [465, 587, 2525], allowPrivate: true },
        ca: [TEST_CA],
        timeouts: { connection: 1000, greeting: 500, socket: 1000 },
      });
      const byPort = new Map(detection.ports.map((probe) => [probe.port, probe]));
      assert.deepEqual(detection.recommended, { port: 465, security: 'tls' });
      assert.equal(byPort.get(465)?.implicitTls, true);
      assert.equal(byPort.get(465)?.recommendation, 'tls');
      assert.equal(byPort.get(465)?.certificate?.trusted, true);
      assert.deepEqual(byPort.get(465)?.authMechanisms, ['PLAIN', 'LOGIN']);
      assert.equal(byPort.get(587)?.starttls, true);
      assert.equal(byPort.get(587)?.starttlsWorks, true);
      assert.equal(byPort.get(587)?.implicitTls, false);
      assert.equal(byPort.get(587)?.recommendation, 'starttls');
      assert.equal(byPort.get(587)?.authInPlainText, true);
      assert.match(byPort.get(587)?.greeting ?? '', /^220 relay\.test ESMTP/);
      assert.equal(byPort.get(2525)?.reachable, false);
      assert.equal(byPort.get(2525)?.problem, 'connection-refused');
      assert.equal(byPort.get(25)?.allowed, false);
      assert.equal(implicit.connections + submission.connections, 4, 'two probes per allowed, listening port');
    } finally {
      await implicit.close();
      await submission.close();
    }
  });

  test('prefers a port with a trusted certificate; a refused host tries nothing', async () => {
    const selfSigned = await startSmtpFixture({ host: '127.0.0.25', port: 465, security: 'tls', cert: 'selfsigned' });
    const trusted = await startSmtpFixture({ host: '127.0.0.25', port: 587, security: 'starttls' });
    try {
      const detection = await detectSecurity('127.0.0.25', { guard: GUARD, ca: [TEST_CA], timeouts: { connection: 1000, greeting: 500, socket: 1000 } });
      assert.deepEqual(detection.recommended, { port: 587, security: 'starttls' });
      const on465 = detection.ports.find((probe) => probe.port === 465);
      assert.equal(on465?.implicitTls, true);
      assert.equal(on465?.problem, 'certificate-untrusted');

      const refused = await detectSecurity('127.0.0.25', { guard: { ...GUARD, allowPrivate: false } });
      assert.equal(refused.refused?.code, 'smtp_address_not_allowed');
      assert.equal(refused.recommended, null);
      assert.equal(selfSigned.connections + trusted.connections, 4);
    } finally {
      await selfSigned.close();
      await trusted.close();
    }
  });
});
