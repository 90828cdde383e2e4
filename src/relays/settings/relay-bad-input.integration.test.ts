// Bad relay settings through the API: every address form the guard refuses, bad ports, bad
// host spellings, header injection, oversized fields — each a 422 with a stable code, and no
// socket ever opened towards a refused host. A listening fixture on 127.0.0.18:587 proves it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtpFixture, type SmtpFixture } from '../../../test/support/smtp-fixture.ts';
import { createOrganization, createRelayTestApp, fakeResolver, relayBody, type RelayTestApp } from '../../../test/support/relays.ts';

/** Hosts whose address the guard refuses when private hosts are not allowed, with the reason. */
const REFUSED_ADDRESSES: [host: string, reason: string][] = [
  ['127.0.0.18', 'loopback'],
  ['127.1', 'loopback'],
  ['0x7f000001', 'loopback'],
  ['2130706433', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['[::1]', 'loopback'],
  ['::1', 'loopback'],
  ['10.0.0.5', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local'],
  ['fe80::1', 'link-local'],
  ['100.64.0.1', 'cgnat'],
  ['fd12:3456::1', 'unique-local'],
  ['::ffff:127.0.0.1', 'ipv4-mapped'],
  ['::ffff:169.254.169.254', 'ipv4-mapped'],
  ['::127.0.0.1', 'ipv4-compatible'],
  ['64:ff9b::127.0.0.1', 'nat64'],
  ['2002:7f00:1::1', '6to4'],
  ['0.0.0.0', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.1', 'documentation'],
  // Names: resolved once, refused when any answer is not public.
  ['localhost', 'loopback'],
  ['loopback.relay.test', 'loopback'],
  ['metadata.relay.test', 'link-local'],
  ['mixed.relay.test', 'private'],
];

const BAD_HOSTS = ['', 'smtp://smtp.example.com', 'smtp.example.com:587', 'user@smtp.example.com', 'smtp example.com', 'smtp.example.com\r\nRCPT TO:<x@y.z>', 'smtp.example.com\0', '-bad-.example.com', '1.2.3.4.5', 'a'.repeat(64) + '.example.com'];

interface Case {
  name: string;
  body: Record<string, unknown>;
  code: string;
}

const CASES: Case[] = [
  { name: 'port outside the list', body: { port: 2526 }, code: 'smtp_port_not_allowed' },
  { name: 'port 22', body: { port: 22 }, code: 'smtp_port_not_allowed' },
  { name: 'port 0', body: { port: 0 }, code: 'smtp_port_not_allowed' },
  { name: 'port 99999', body: { port: 99999 }, code: 'smtp_port_not_allowed' },
  { name: 'port not a whole number', body: { port: 587.5 }, code: 'validation_failed' },
  { name: 'port as a string', body: { port: '587' }, code: 'validation_failed' },
  { name: 'CR/LF in user name', body: { username: 'me\r\nMAIL FROM:<x@y.z>' }, code: 'header_injection' },
  { name: 'NUL in user name', body: { username: 'me\0admin' }, code: 'header_injection' },
  { name: 'CR/LF in sender name', body: { fromName: 'Acme\r\nBcc: victim@example.org' }, code: 'header_injection' },
  { name: 'LF in sender name', body: { fromName: 'Acme\nX-Evil: 1' }, code: 'header_injection' },
  { name: 'CR/LF in Reply-To', body: { replyTo: 'a@example.org\r\nBcc: b@example.org' }, code: 'header_injection' },
  { name: 'CR/LF in sender address', body: { fromEmail: 'a@example.org\r\nBcc: b@example.org' }, code: 'header_injection' },
  { name: 'sender not an address', body: { fromEmail: 'formation' }, code: 'invalid_address' },
  { name: 'sender with a display name', body: { fromEmail: 'Acme <a@example.org>' }, code: 'invalid_address' },
  { name: 'Reply-To not an address', body: { replyTo: 'contact' }, code: 'invalid_address' },
  { name: 'user name too long', body: { username: `${'u'.repeat(321)}` }, code: 'validation_failed' },
  { name: 'sender name too long', body: { fromName: 'n'.repeat(201) }, code: 'validation_failed' },
  { name: 'sender address too long', body: { fromEmail: `${'a'.repeat(250)}@example.org` }, code: 'validation_failed' },
  { name: 'host too long', body: { host: `${'h'.repeat(300)}.example.com` }, code: 'validation_failed' },
  { name: 'password too long', body: { password: 'p'.repeat(1025) }, code: 'validation_failed' },
  { name: 'password with a line break', body: { password: 'pass\r\nword' }, code: 'validation_failed' },
  { name: 'empty password', body: { password: '' }, code: 'validation_failed' },
  { name: 'empty user name', body: { username: ' ' }, code: 'validation_failed' },
  { name: 'unknown preset', body: { preset: 'yahoo' }, code: 'validation_failed' },
  { name: 'unknown security', body: { security: 'ssl' }, code: 'validation_failed' },
  { name: 'unknown fallback policy', body: { fallbackPolicy: 'drop' }, code: 'validation_failed' },
  { name: 'unknown field', body: { oauth: { token: 'x' } }, code: 'unknown_field' },
  { name: 'plaintext relay where private hosts are not allowed', body: { security: 'none', port: 25 }, code: 'smtp_plaintext_not_allowed' },
];

describe('relay settings: bad input', () => {
  let fixture: SmtpFixture;
  let t: RelayTestApp;
  const resolver = fakeResolver({
    localhost: ['127.0.0.18'],
    'loopback.relay.test': ['127.0.0.18'],
    'metadata.relay.test': ['169.254.169.254'],
    'mixed.relay.test': ['93.184.215.14', '10.1.2.3'],
    'smtp.example.com': ['93.184.215.14'],
  });

  before(async () => {
    fixture = await startSmtpFixture({ host: '127.0.0.18', port: 587 });
    t = await createRelayTestApp({ resolver });
    await createOrganization(t, 'acme');
  });
  after(async () => {
    await t.close();
    await fixture.close();
  });

  const put = (body: object) => t.app.inject({ method: 'PUT', url: '/v1/organizations/acme/smtp-relay', headers: t.auth, payload: body });

  test('a public relay host is accepted (the control case)', async () => {
    const res = await put(relayBody({ host: 'smtp.example.com' }));
    assert.equal(res.statusCode, 201, res.body);
    const removed = await t.app.inject({ method: 'DELETE', url: '/v1/organizations/acme/smtp-relay', headers: t.auth });
    assert.equal(removed.statusCode, 204);
  });

  for (const [host, reason] of REFUSED_ADDRESSES) {
    test(`address refused: ${host} (${reason})`, async () => {
      const res = await put(relayBody({ host }));
      assert.equal(res.statusCode, 422, res.body);
      const { error } = res.json();
      assert.equal(error.code, 'smtp_address_not_allowed');
      assert.equal(error.details.reason, reason);
    });
  }

  for (const host of BAD_HOSTS) {
    test(`host refused: ${JSON.stringify(host).slice(0, 40)}`, async () => {
      const res = await put(relayBody({ host }));
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().error.code, 'smtp_host_invalid');
    });
  }

  test('a name that does not resolve: smtp_host_not_found', async () => {
    const res = await put(relayBody({ host: 'nowhere.example.com' }));
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.code, 'smtp_host_not_found');
  });

  for (const c of CASES) {
    test(`${c.name} → ${c.code}`, async () => {
      const res = await put({ ...relayBody({ host: 'smtp.example.com' }), ...c.body });
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().error.code, c.code);
      assert.ok(res.json().error.message.length > 0);
    });
  }

  test('RELAIS_SMTP_ALLOWED_PORTS changes the list (the address rule still applies)', async () => {
    const custom = await createRelayTestApp({ resolver, env: { RELAIS_SMTP_ALLOWED_PORTS: '8025' } });
    try {
      await createOrganization(custom, 'acme');
      const inject = (body: object) => custom.app.inject({ method: 'PUT', url: '/v1/organizations/acme/smtp-relay', headers: custom.auth, payload: body });
      assert.equal((await inject(relayBody({ host: 'smtp.example.com', port: 587 }))).json().error.code, 'smtp_port_not_allowed');
      assert.equal((await inject(relayBody({ host: 'smtp.example.com', port: 8025 }))).statusCode, 201);
      assert.equal((await inject(relayBody({ host: '127.0.0.18', port: 8025 }))).json().error.code, 'smtp_address_not_allowed');
    } finally {
      await custom.close();
    }
  });

  test('no refused host was ever connected to, and nothing was stored', async () => {
    assert.equal(fixture.connections, 0);
    const res = await t.app.inject({ method: 'GET', url: '/v1/organizations/acme/smtp-relay', headers: t.auth });
    assert.equal(res.statusCode, 404);
  });
});
