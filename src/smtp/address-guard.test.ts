import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as dnsPromises } from 'node:dns';
import net from 'node:net';
import fc from 'fast-check';
import { AppError } from '../errors.ts';
import {
  checkPort,
  classifyAddress,
  parseIpLiteral,
  resolveSmtpTarget,
  systemResolver,
  type AddressRejection,
  type GuardOptions,
  type Resolver,
} from './address-guard.ts';

const SMTP_PORTS = [25, 465, 587, 2525] as const;

/** A resolver that answers from a table and records every name it was asked about. */
function spyResolver(answers: Record<string, string[] | Error> = {}): Resolver & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async lookup(host) {
      calls.push(host);
      const answer = answers[host] ?? ['93.184.215.14'];
      if (answer instanceof Error) throw answer;
      return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
}

function options(resolver: Resolver, overrides: Partial<GuardOptions> = {}): GuardOptions {
  return { allowedPorts: SMTP_PORTS, allowPrivate: false, resolver, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the guard to refuse');
}

function dnsError(code: string): Error {
  return Object.assign(new Error(`getaddrinfo ${code}`), { code });
}

/** IP literals (every spelling) and the reason each is refused. */
const REFUSED_LITERALS: [host: string, reason: AddressRejection][] = [
  // IPv4
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.5', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['192.88.99.1', 'reserved'],
  ['192.175.48.1', 'reserved'],
  ['192.52.193.1', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  // Odd IPv4 spellings (what inet_aton accepts)
  ['127.1', 'loopback'],
  ['127.0.1', 'loopback'],
  ['0x7f000001', 'loopback'],
  ['0X7F000001', 'loopback'],
  ['2130706433', 'loopback'],
  ['017700000001', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['0177.0000.0.01', 'loopback'],
  ['0x7f.1', 'loopback'],
  ['0x7f.0.0.1', 'loopback'],
  ['0x7F.0x0.0x0.0x1', 'loopback'],
  ['127.0.0.1.', 'loopback'],
  ['0xa9fea9fe', 'link-local'],
  ['2852039166', 'link-local'],
  ['10.1', 'private'],
  ['012.0.0.1', 'private'],
  ['0xa000001', 'private'],
  ['192.168.257', 'private'],
  ['0', 'unspecified'],
  ['0x0', 'unspecified'],
  ['4294967295', 'broadcast'],
  ['１２７。０。０。１', 'loopback'], // full-width digits and ideographic full stops (IDNA maps them)
  ['127。0。0。1', 'loopback'],
  // IPv6
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::', 'unspecified'],
  ['[::]', 'unspecified'],
  ['fe80::1', 'link-local'],
  ['FE80::1', 'link-local'],
  ['febf::1', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fec0::1', 'private'],
  ['::ffff:127.0.0.1', 'ipv4-mapped'],
  ['[::ffff:169.254.169.254]', 'ipv4-mapped'],
  ['::ffff:7f00:1', 'ipv4-mapped'],
  ['::ffff:8.8.8.8', 'ipv4-mapped'],
  ['::ffff:0:127.0.0.1', 'ipv4-mapped'],
  ['::127.0.0.1', 'ipv4-compatible'],
  ['::7f00:1', 'ipv4-compatible'],
  ['::10.0.0.1', 'ipv4-compatible'],
  ['64:ff9b::127.0.0.1', 'nat64'],
  ['64:ff9b::a00:1', 'nat64'],
  ['64:ff9b::808:808', 'nat64'],
  ['64:ff9b:1::1', 'nat64'],
  ['2002:7f00:1::', '6to4'],
  ['2002:a00:1::1', '6to4'],
  ['2002:808:808::1', '6to4'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ['2001::1', 'teredo'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['100::1', 'reserved'],
  ['2001:10::1', 'reserved'],
  ['2001:20::1', 'reserved'],
  ['2001:30::1', 'reserved'],
  ['2001:3::1', 'reserved'],
  ['2001:4:112::1', 'reserved'],
  ['2620:4f:8000::1', 'reserved'],
  ['5f00::1', 'reserved'],
  ['4000::1', 'reserved'],
  ['1::1', 'reserved'],
  ['e000::1', 'reserved'],
];

const PUBLIC_LITERALS: [host: string, address: string, family: 4 | 6][] = [
  ['8.8.8.8', '8.8.8.8', 4],
  ['142.250.0.1', '142.250.0.1', 4],
  ['1.1.1.1', '1.1.1.1', 4],
  ['0x08080808', '8.8.8.8', 4],
  ['2a00:1450:4007:80c::201b', '2a00:1450:4007:80c::201b', 6],
  ['[2A00:1450:4007:080C::201B]', '2a00:1450:4007:80c::201b', 6],
  ['2606:4700:4700::1111', '2606:4700:4700::1111', 6],
];

/** Host strings that are neither a DNS name nor an IP literal, and why. */
const INVALID_HOSTS: [host: string, problem: string][] = [
  ['', 'empty'],
  ['   ', 'empty'],
  ['a'.repeat(300), 'too-long'],
  [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, 'too-long'], // 254
  ['smtp.example.com\r\nMAIL FROM:<x@y.z>', 'forbidden-character'],
  ['smtp.example.com\n', 'forbidden-character'],
  ['smtp\0.example.com', 'forbidden-character'],
  ['smtp .example.com', 'forbidden-character'],
  [' smtp.example.com', 'forbidden-character'],
  ['\tsmtp.example.com', 'forbidden-character'],
  ['smtp.exa\u200bmple.com', 'forbidden-character'],
  ['127.0.0.1\n', 'forbidden-character'],
  ['http://smtp.example.com', 'url'],
  ['smtp://127.0.0.1:25', 'url'],
  ['user@smtp.example.com', 'at-sign'],
  ['smtp.example.com:587', 'port-in-host'],
  ['10.0.0.1:25', 'port-in-host'],
  ['[::1]:587', 'port-in-host'],
  ['[10.0.0.1]', 'invalid-ip'],
  ['[smtp.example.com]', 'invalid-ip'],
  ['[::1', 'invalid-ip'],
  ['fe80::1%eth0', 'invalid-ip'],
  ['fe80::1%25eth0', 'invalid-ip'],
  [':::', 'invalid-ip'],
  ['1::2::3', 'invalid-ip'],
  ['::ffff:0177.0.0.1', 'invalid-ip'],
  ['1.2.3.4.5', 'invalid-ip'],
  ['256.1.1.1', 'invalid-ip'],
  ['08.0.0.1', 'invalid-ip'],
  ['0x', 'invalid-ip'],
  ['4294967296', 'invalid-ip'],
  ['example.123', 'invalid-ip'],
  ['smtp.example.com/path', 'invalid-name'],
  ['smtp.example.com\\x', 'invalid-name'],
  ['-smtp.example.com', 'invalid-name'],
  ['smtp-.example.com', 'invalid-name'],
  ['smtp..example.com', 'invalid-name'],
  ['.example.com', 'invalid-name'],
  ['smtp.example.com..', 'invalid-name'],
  ['smtp_relay.example.com', 'invalid-name'],
  ['smtp.example.com%00', 'invalid-name'],
  [`${'a'.repeat(64)}.com`, 'invalid-name'],
  ['smtp.ex：ample.com', 'invalid-name'], // full-width colon
];

describe('resolveSmtpTarget: IP literals', () => {
  for (const [host, reason] of REFUSED_LITERALS) {
    test(`refuses ${host} (${reason}) without any DNS lookup`, async () => {
      const resolver = spyResolver();
      const error = await rejection(resolveSmtpTarget(host, 587, options(resolver)));
      assert.equal(error.code, 'smtp_address_not_allowed');
      assert.equal((error.details as { reason: string }).reason, reason);
      assert.deepEqual(resolver.calls, []);
      assert.match(error.message, /Relais only connects to public mail servers|no mail server can be reached there/);
    });
  }

  for (const [host, address, family] of PUBLIC_LITERALS) {
    test(`allows public ${host}, normalised to ${address}`, async () => {
      const resolver = spyResolver();
      assert.deepEqual(await resolveSmtpTarget(host, 465, options(resolver)), { host: address, port: 465, address, family });
      assert.deepEqual(resolver.calls, []);
    });
  }

  test('explains a refusal in plain words', async () => {
    const error = await rejection(resolveSmtpTarget('0x7f000001', 587, options(spyResolver())));
    assert.equal(error.message, "127.0.0.1 is a loopback address (the server's own machine); Relais only connects to public mail servers.");
    const mapped = await rejection(resolveSmtpTarget('::ffff:10.0.0.1', 587, options(spyResolver())));
    assert.deepEqual(mapped.details, { reason: 'ipv4-mapped', address: '::ffff:a00:1', embeddedAddress: '10.0.0.1' });
    assert.match(mapped.message, /IPv4 address written in IPv6 form \(10\.0\.0\.1\)/);
    const teredo = await rejection(resolveSmtpTarget('2001:0:4136:e378:8000:63bf:3fff:fdd2', 587, options(spyResolver())));
    assert.equal((teredo.details as { embeddedAddress: string }).embeddedAddress, '192.0.2.45');
  });
});

describe('resolveSmtpTarget: names', () => {
  test('resolves a name once and connects to its first address, keeping the name for TLS', async () => {
    const resolver = spyResolver({ 'smtp.gmail.com': ['142.250.27.108', '2a00:1450:400c:c0c::6c'] });
    const target = await resolveSmtpTarget('SMTP.Gmail.COM.', 587, options(resolver));
    assert.deepEqual(target, { host: 'smtp.gmail.com', port: 587, address: '142.250.27.108', family: 4 });
    assert.deepEqual(resolver.calls, ['smtp.gmail.com']);
  });

  test('family comes from the address, normalised, whatever the resolver claims', async () => {
    const resolver: Resolver = { lookup: async () => [{ address: '2A00:1450:4007:080C::201B', family: 4 }] };
    const target = await resolveSmtpTarget('relay.example.com', 25, options(resolver));
    assert.equal(target.address, '2a00:1450:4007:80c::201b');
    assert.equal(target.family, 6);
  });

  test('internationalised names are resolved in their ASCII form', async () => {
    const resolver = spyResolver();
    const target = await resolveSmtpTarget('smtp.café.fr', 587, options(resolver));
    assert.equal(target.host, 'smtp.xn--caf-dma.fr');
    assert.deepEqual(resolver.calls, ['smtp.xn--caf-dma.fr']);
  });

  test('single-label names and 253-character names are valid syntax', async () => {
    const resolver = spyResolver();
    await resolveSmtpTarget('mailhub', 25, options(resolver));
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    assert.equal(longest.length, 253);
    await resolveSmtpTarget(longest, 25, options(resolver));
    assert.deepEqual(resolver.calls, ['mailhub', longest]);
  });

  const mixed: [name: string, answers: string[], details: Record<string, string>][] = [
    ['public then private', ['8.8.8.8', '10.0.0.5'], { reason: 'private', address: '10.0.0.5' }],
    ['private then public', ['192.168.0.10', '8.8.4.4'], { reason: 'private', address: '192.168.0.10' }],
    ['public IPv4 and loopback IPv6', ['8.8.8.8', '::1'], { reason: 'loopback', address: '::1' }],
    ['cloud metadata', ['169.254.169.254'], { reason: 'link-local', address: '169.254.169.254' }],
    [
      'IPv4-mapped loopback',
      ['2a00:1450:4007:80c::201b', '::ffff:127.0.0.1'],
      { reason: 'ipv4-mapped', address: '::ffff:7f00:1', embeddedAddress: '127.0.0.1' },
    ],
    [
      'IPv4-compatible as printed by inet_ntop',
      ['::127.0.0.1'],
      { reason: 'ipv4-compatible', address: '::7f00:1', embeddedAddress: '127.0.0.1' },
    ],
    ['unique-local', ['fd00::25'], { reason: 'unique-local', address: 'fd00::25' }],
    ['CGNAT', ['100.100.100.100'], { reason: 'cgnat', address: '100.100.100.100' }],
    ['unspecified', ['0.0.0.0'], { reason: 'unspecified', address: '0.0.0.0' }],
    ['not an address at all', ['8.8.8.8', 'evil\r\n'], { reason: 'invalid', address: 'evil??' }],
  ];
  for (const [label, answers, details] of mixed) {
    test(`refuses a name resolving to ${label}`, async () => {
      const resolver = spyResolver({ 'relay.example.com': answers });
      const error = await rejection(resolveSmtpTarget('relay.example.com', 587, options(resolver)));
      assert.equal(error.code, 'smtp_address_not_allowed');
      assert.deepEqual(error.details, { ...details, host: 'relay.example.com' });
    });
  }

  test('names the host and the address in the message', async () => {
    const resolver = spyResolver({ 'relay.example.com': ['10.0.0.5'] });
    const error = await rejection(resolveSmtpTarget('relay.example.com', 587, options(resolver)));
    assert.equal(
      error.message,
      'relay.example.com resolves to 10.0.0.5, a private network address; Relais only connects to public mail servers.',
    );
  });

  for (const code of ['ENOTFOUND', 'ENODATA', 'EAI_AGAIN']) {
    test(`a lookup failing with ${code} is smtp_host_not_found`, async () => {
      const resolver = spyResolver({ 'nope.example.com': dnsError(code) });
      const error = await rejection(resolveSmtpTarget('nope.example.com', 587, options(resolver)));
      assert.equal(error.code, 'smtp_host_not_found');
      assert.deepEqual(error.details, { host: 'nope.example.com', code });
      assert.match(error.message, /nope\.example\.com/);
    });
  }

  test('a lookup with no address is smtp_host_not_found (ENODATA)', async () => {
    const resolver = spyResolver({ 'empty.example.com': [] });
    const error = await rejection(resolveSmtpTarget('empty.example.com', 587, options(resolver)));
    assert.deepEqual([error.code, error.details], ['smtp_host_not_found', { host: 'empty.example.com', code: 'ENODATA' }]);
  });

  test('any other resolver failure propagates unchanged', async () => {
    const failure = dnsError('EPERM');
    const resolver = spyResolver({ 'relay.example.com': failure });
    await assert.rejects(resolveSmtpTarget('relay.example.com', 587, options(resolver)), (error) => error === failure);
  });
});

describe('resolveSmtpTarget: host syntax', () => {
  for (const [host, problem] of INVALID_HOSTS) {
    test(`refuses ${JSON.stringify(host.length > 40 ? `${host.slice(0, 40)}…` : host)} (${problem})`, async () => {
      const resolver = spyResolver();
      const error = await rejection(resolveSmtpTarget(host, 587, options(resolver)));
      assert.equal(error.code, 'smtp_host_invalid');
      assert.deepEqual(error.details, { problem });
      assert.deepEqual(resolver.calls, []);
      // The owner's input is echoed printable and short.
      assert.doesNotMatch(error.message, /[^\x20-\x7e…]/);
      assert.ok(error.message.length < 200, error.message);
    });
  }

  test('tells the owner where the port goes', async () => {
    const error = await rejection(resolveSmtpTarget('smtp.gmail.com:587', 587, options(spyResolver())));
    assert.equal(error.message, 'Remove the port from "smtp.gmail.com:587" and enter it in the Port field instead.');
  });
});

describe('checkPort', () => {
  test('allows the default SMTP ports', () => {
    for (const port of [25, 465, 587, 2525]) assert.doesNotThrow(() => checkPort(port, SMTP_PORTS), `port ${port} is allowed`);
  });

  for (const port of [0, 1, 22, 24, 26, 80, 443, 2526, 3306, 6379, 65535, 65536, -25, 1.5, Number.NaN]) {
    test(`refuses port ${port}, before any DNS lookup`, async () => {
      assert.throws(() => checkPort(port, SMTP_PORTS), (error) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'smtp_port_not_allowed');
        assert.deepEqual(error.details, { port, allowedPorts: [...SMTP_PORTS] });
        assert.match(error.message, /25, 465, 587 or 2525/);
        return true;
      });
      const resolver = spyResolver();
      for (const host of ['relay.example.com', '0x7f000001', '10.0.0.1', '8.8.8.8']) {
        const error = await rejection(resolveSmtpTarget(host, port, options(resolver)));
        assert.equal(error.code, 'smtp_port_not_allowed');
      }
      assert.deepEqual(resolver.calls, []);
    });
  }

  test('operators choose the list', async () => {
    const resolver = spyResolver();
    const custom = options(resolver, { allowedPorts: [1025] });
    assert.equal((await resolveSmtpTarget('relay.example.com', 1025, custom)).port, 1025);
    const error = await rejection(resolveSmtpTarget('relay.example.com', 587, custom));
    assert.equal(error.message, 'Port 587 is not allowed: Relais connects to mail servers on port 1025 only.');
  });
});

describe('allowPrivate', () => {
  const lifted = (resolver: Resolver) => options(resolver, { allowPrivate: true });

  for (const [host, address] of [
    ['127.0.0.2', '127.0.0.2'],
    ['10.0.0.5', '10.0.0.5'],
    ['::1', '::1'],
    ['0x7f000001', '127.0.0.1'],
    ['fd00::25', 'fd00::25'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
  ]) {
    test(`lets ${host} through`, async () => {
      assert.equal((await resolveSmtpTarget(host as string, 2525, lifted(spyResolver()))).address, address);
    });
  }

  test('lets a name resolving to loopback through', async () => {
    const resolver = spyResolver({ 'mail.test': ['127.0.0.1', '::1'] });
    assert.deepEqual(await resolveSmtpTarget('mail.test', 2525, lifted(resolver)), {
      host: 'mail.test',
      port: 2525,
      address: '127.0.0.1',
      family: 4,
    });
  });

  test('never lifts the port rule', async () => {
    const error = await rejection(resolveSmtpTarget('127.0.0.2', 2526, lifted(spyResolver())));
    assert.equal(error.code, 'smtp_port_not_allowed');
  });

  for (const [host, reason] of [
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['::ffff:0.0.0.0', 'ipv4-mapped'],
    ['::ffff:255.255.255.255', 'ipv4-mapped'],
    ['64:ff9b::e000:1', 'nat64'],
    ['2002:e000:1::', '6to4'],
  ] as const) {
    test(`still refuses ${host}, which is never a mail server`, async () => {
      const error = await rejection(resolveSmtpTarget(host, 587, lifted(spyResolver())));
      assert.equal(error.code, 'smtp_address_not_allowed');
      assert.equal((error.details as { reason: string }).reason, reason);
      assert.match(error.message, /no mail server can be reached there|Relais only connects/);
    });
  }

  test('still refuses a name when one of its addresses is 0.0.0.0', async () => {
    const resolver = spyResolver({ 'mail.test': ['127.0.0.1', '0.0.0.0'] });
    const error = await rejection(resolveSmtpTarget('mail.test', 587, lifted(resolver)));
    assert.equal((error.details as { reason: string }).reason, 'unspecified');
  });
});

describe('classifyAddress and parseIpLiteral', () => {
  test('classifyAddress agrees with the guard on every literal', () => {
    // Host-only spellings (trailing dot, full-width digits) are the guard's to normalise.
    const hostOnly = ['127.0.0.1.', '１２７。０。０。１', '127。0。0。1'];
    for (const [host, reason] of REFUSED_LITERALS) {
      const expected = hostOnly.includes(host) ? 'invalid' : reason;
      assert.deepEqual(classifyAddress(host), { allowed: false, reason: expected }, host);
    }
    assert.deepEqual(classifyAddress('8.8.8.8'), { allowed: true });
    assert.deepEqual(classifyAddress('2a00:1450:4007:80c::201b'), { allowed: true });
    assert.deepEqual(classifyAddress('smtp.example.com'), { allowed: false, reason: 'invalid' });
  });

  const spellings: [host: string, normalised: string | null][] = [
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['::127.0.0.1', '::7f00:1'],
    ['2A00:1450:4007:080C:0:0:0:201B', '2a00:1450:4007:80c::201b'],
    ['smtp.example.com', null],
    ['1.2.3.4.5', null],
    ['08.0.0.1', null],
    ['[127.0.0.1]', null],
    ['fe80::1%eth0', null],
    ['', null],
  ];
  for (const [host, normalised] of spellings) {
    test(`parseIpLiteral(${JSON.stringify(host)}) is ${normalised}`, () => assert.equal(parseIpLiteral(host), normalised));
  }
});

describe('the system resolver', () => {
  test('resolves localhost from the hosts file; loopback is refused unless allowPrivate', async () => {
    const strict = await rejection(resolveSmtpTarget('localhost', 587, { allowedPorts: SMTP_PORTS, allowPrivate: false }));
    assert.equal((strict.details as { reason: string }).reason, 'loopback');
    const target = await resolveSmtpTarget('localhost', 587, { allowedPorts: SMTP_PORTS, allowPrivate: true });
    assert.equal(target.host, 'localhost');
    assert.ok(['127.0.0.1', '::1'].includes(target.address), target.address);
  });
});

describe('side effects', () => {
  test('the guard never opens a socket, and never asks the system resolver about a literal', async (t) => {
    const connect = t.mock.method(net.Socket.prototype, 'connect', () => assert.fail('the guard opened a socket'));
    const lookup = t.mock.method(dnsPromises, 'lookup', () => assert.fail('the guard asked DNS'));
    // The spies are live: the system resolver and a socket would be caught.
    await assert.rejects(systemResolver.lookup('relay.example.com'), /the guard asked DNS/);
    assert.throws(() => new net.Socket().connect(25, '127.0.0.1'), /the guard opened a socket/);
    lookup.mock.resetCalls();
    connect.mock.resetCalls();
    const strict = { allowedPorts: SMTP_PORTS, allowPrivate: false };
    for (const [host] of [...REFUSED_LITERALS, ...PUBLIC_LITERALS]) {
      await resolveSmtpTarget(host, 587, strict).catch((error: unknown) => assert.ok(error instanceof AppError));
      await resolveSmtpTarget(host, 587, { ...strict, allowPrivate: true }).catch(() => undefined);
    }
    for (const [host] of INVALID_HOSTS) {
      await rejection(resolveSmtpTarget(host, 587, strict));
    }
    await rejection(resolveSmtpTarget('relay.example.com', 2526, strict));
    const resolver = spyResolver({ 'relay.example.com': ['10.0.0.1'] });
    await rejection(resolveSmtpTarget('relay.example.com', 587, options(resolver)));
    await resolveSmtpTarget('ok.example.com', 587, options(resolver));
    assert.equal(connect.mock.callCount(), 0);
    assert.equal(lookup.mock.callCount(), 0);
  });
});

describe('properties', () => {
  /** Renders one number the ways inet_aton reads it: decimal, hex (either case), octal. */
  const spelledNumber = (value: number) =>
    fc.oneof(
      fc.constant(String(value)),
      fc.constantFrom('0x', '0X').chain((prefix) =>
        fc.boolean().map((upper) => prefix + (upper ? value.toString(16).toUpperCase() : value.toString(16))),
      ),
      fc.integer({ min: 1, max: 3 }).map((zeros) => '0'.repeat(zeros) + value.toString(8)),
    );

  /** Every way to spell an IPv4 address: 4, 3, 2 or 1 parts, each part in any base. */
  const spelledIPv4 = ([a, b, c, d]: [number, number, number, number]) => {
    const forms = [
      [a, b, c, d],
      [a, b, (c << 8) | d],
      [a, (b << 16) | (c << 8) | d],
      [((a << 24) | (b << 16) | (c << 8) | d) >>> 0],
    ];
    return fc
      .constantFrom(...forms)
      .chain((parts) => fc.tuple(...parts.map(spelledNumber)))
      .chain((parts) => fc.constantFrom(parts.join('.'), `${parts.join('.')}.`));
  };

  const octet = fc.integer({ min: 0, max: 255 });
  const privateIPv4 = fc.oneof(
    fc.tuple(fc.constant(10), octet, octet, octet),
    fc.tuple(fc.constant(192), fc.constant(168), octet, octet),
    fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), octet, octet),
  );

  test('every spelling of an address in 10/8, 172.16/12 and 192.168/16 is refused without DNS', async () => {
    const resolver = spyResolver();
    await fc.assert(
      fc.asyncProperty(
        privateIPv4.chain((octets) => fc.tuple(fc.constant(octets.join('.')), spelledIPv4(octets))),
        async ([canonical, spelling]) => {
          assert.equal(parseIpLiteral(spelling.replace(/\.$/, '')), canonical);
          const error = await rejection(resolveSmtpTarget(spelling, 587, options(resolver)));
          assert.equal(error.code, 'smtp_address_not_allowed');
          assert.deepEqual(error.details, { reason: 'private', address: canonical });
        },
      ),
      { numRuns: 500 },
    );
    assert.deepEqual(resolver.calls, []);
  });

  test('every spelling of a loopback address is refused without DNS', async () => {
    const resolver = spyResolver();
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.constant(127), octet, octet, octet).chain(spelledIPv4),
        async (spelling) => {
          const error = await rejection(resolveSmtpTarget(spelling, 25, options(resolver)));
          assert.equal((error.details as { reason: string }).reason, 'loopback');
        },
      ),
      { numRuns: 300 },
    );
    assert.deepEqual(resolver.calls, []);
  });

  test('whatever the input, only well-formed DNS names ever reach the resolver', async () => {
    const host = fc.oneof(
      fc.string({ unit: 'grapheme-ascii' }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.domain(),
      fc.ipV4Extended(),
      fc.ipV6(),
      fc.webUrl(),
      fc.emailAddress(),
    );
    await fc.assert(
      fc.asyncProperty(host, async (input) => {
        const resolver = spyResolver();
        try {
          await resolveSmtpTarget(input, 587, options(resolver));
        } catch (error) {
          assert.ok(error instanceof AppError, String(error));
          assert.ok(['smtp_host_invalid', 'smtp_address_not_allowed'].includes(error.code), error.code);
        }
        for (const name of resolver.calls) {
          assert.equal(parseIpLiteral(name), null, name);
          assert.ok(name.length <= 253);
          assert.match(name, /^(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)*(?!-)[a-z0-9-]{1,63}(?<!-)$/);
          assert.doesNotMatch(name, /(?:^|\.)(?:\d+|0x[0-9a-f]*)$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

});
