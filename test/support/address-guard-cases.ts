// The address guard's test cases and helpers, shared by src/smtp/address-guard.test.ts (the
// cases one by one) and src/smtp/address-guard.properties.test.ts (properties, side effects).
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import type { AddressRejection, GuardOptions, Resolver } from '../../src/smtp/address-guard.ts';

export const SMTP_PORTS = [25, 465, 587, 2525] as const;

/** A resolver that answers from a table and records every name it was asked about. */
export function spyResolver(answers: Record<string, string[] | Error> = {}): Resolver & { calls: string[] } {
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

export function options(resolver: Resolver, overrides: Partial<GuardOptions> = {}): GuardOptions {
  return { allowedPorts: SMTP_PORTS, allowPrivate: false, resolver, ...overrides };
}

export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the guard to refuse');
}

export function dnsError(code: string): Error {
  return Object.assign(new Error(`getaddrinfo ${code}`), { code });
}

/** IP literals (every spelling) and the reason each is refused. */
export const REFUSED_LITERALS: [host: string, reason: AddressRejection][] = [
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

export const PUBLIC_LITERALS: [host: string, address: string, family: 4 | 6][] = [
  ['8.8.8.8', '8.8.8.8', 4],
  ['142.250.0.1', '142.250.0.1', 4],
  ['1.1.1.1', '1.1.1.1', 4],
  ['0x08080808', '8.8.8.8', 4],
  ['2a00:1450:4007:80c::201b', '2a00:1450:4007:80c::201b', 6],
  ['[2A00:1450:4007:080C::201B]', '2a00:1450:4007:80c::201b', 6],
  ['2606:4700:4700::1111', '2606:4700:4700::1111', 6],
];

/** Host strings that are neither a DNS name nor an IP literal, and why. */
export const INVALID_HOSTS: [host: string, problem: string][] = [
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
