// The address guard's properties (every spelling of an address is judged alike), its side
// effects, and the system resolver. The cases one by one: address-guard.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as dnsPromises } from 'node:dns';
import net from 'node:net';
import fc from 'fast-check';
import { AppError } from '../errors.ts';
import { parseIpLiteral, resolveSmtpTarget, systemResolver } from './address-guard.ts';
import { SMTP_PORTS, spyResolver, options, rejection, REFUSED_LITERALS, PUBLIC_LITERALS, INVALID_HOSTS } from '../../test/support/address-guard-cases.ts';

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
