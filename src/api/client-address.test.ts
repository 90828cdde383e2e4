// The client address Relais sees (per-IP sign-in limits) with RELAIS_TRUST_PROXY: a number of
// proxies takes the address that many hops from the right of X-Forwarded-For, never the
// leftmost one, which the client writes itself.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import type { AppDeps } from './app.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';

async function appTrusting(trustProxy: string, deps: Partial<AppDeps> = {}): Promise<TestApp> {
  const t = await createTestApp({ env: { RELAIS_TRUST_PROXY: trustProxy }, deps });
  t.app.get('/client-address', async (request) => ({ ip: request.ip }));
  return t;
}

describe('client address behind proxies', () => {
  const apps: TestApp[] = [];
  after(async () => {
    for (const t of apps) await t.close();
  });

  const cases: [trustProxy: string, forwardedFor: string, client: string][] = [
    ['1', 'spoofed, real-client', 'real-client'],
    ['1', '198.51.100.1, 203.0.113.7', '203.0.113.7'],
    ['2', '198.51.100.1, 203.0.113.7, 10.0.0.2', '203.0.113.7'],
    ['2', '203.0.113.7', '203.0.113.7'],
    ['false', '198.51.100.1, 203.0.113.7', '127.0.0.1'],
  ];
  for (const [trustProxy, forwardedFor, client] of cases) {
    test(`RELAIS_TRUST_PROXY=${trustProxy}, X-Forwarded-For: ${forwardedFor} → ${client}`, async () => {
      const t = await appTrusting(trustProxy);
      apps.push(t);
      const res = await t.app.inject({ method: 'GET', url: '/client-address', headers: { 'x-forwarded-for': forwardedFor } });
      assert.deepEqual(res.json(), { ip: client });
    });
  }

  test('prepending spoofed addresses does not escape the per-IP sign-in limit', async () => {
    const t = await appTrusting('1', { clock: new ManualClock(), auth: { loginMaxFailuresPerIp: 3 } });
    apps.push(t);
    const signIn = (email: string, forwardedFor: string) =>
      t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { email, password: 'x' }, headers: { 'x-forwarded-for': forwardedFor } });
    for (let i = 0; i < 3; i++) assert.equal((await signIn(`xff-${i}@acme.test`, `10.66.${i}.1, 203.0.113.77`)).statusCode, 401);
    assert.equal((await signIn('xff-last@acme.test', '10.66.99.1, 203.0.113.77')).statusCode, 429);
    assert.equal((await signIn('xff-last@acme.test', '203.0.113.77, 203.0.113.78')).statusCode, 401, 'the leftmost address is not the client');
  });
});
