// The address guard, case by case: IP literals in every spelling, names, host syntax, ports,
// private addresses when allowed, address classes. Properties and side effects:
// address-guard.properties.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../errors.ts';
import { checkPort, classifyAddress, parseIpLiteral, resolveSmtpTarget, type Resolver } from './address-guard.ts';
import { SMTP_PORTS, spyResolver, options, rejection, dnsError, REFUSED_LITERALS, PUBLIC_LITERALS, INVALID_HOSTS } from '../../test/support/address-guard-cases.ts';

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
