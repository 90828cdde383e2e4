/**
 * Address guard: decides where Relais may open an SMTP connection.
 *
 * Relay host and port are typed by organization owners, so they are attacker-controlled:
 * without this guard an owner could make Relais's servers talk to loopback services, the
 * cloud metadata endpoint or anything on the internal network (SSRF). The guard
 *
 *   1. refuses ports outside the operator's list (before any DNS work),
 *   2. checks the host's syntax; every spelling of an IP address (127.1, 0x7f000001,
 *      0177.0.0.1, [::1], full-width digits…) is recognised and normalised here, so it is
 *      classified as an address and never handed to DNS as a name,
 *   3. resolves a name once and refuses it when ANY of its addresses is not public unicast,
 *   4. returns the validated address: callers connect to that address (not to the name,
 *      which could resolve differently a moment later) and use the name only for TLS SNI and
 *      certificate checks. Callers run the guard before EVERY connection, which is what
 *      defeats DNS rebinding, so it stays cheap and never opens a socket itself.
 */
import { promises as dns } from 'node:dns';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors.ts';

export interface Resolver {
  lookup(host: string): Promise<{ address: string; family: 4 | 6 }[]>;
}

/** The operating system's resolver (getaddrinfo: /etc/hosts, then DNS), in its own order. */
export const systemResolver: Resolver = {
  async lookup(host) {
    const answers = await dns.lookup(host, { all: true, verbatim: true });
    return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  },
};

export interface GuardOptions {
  /** Ports Relais may connect to (config `RELAIS_SMTP_ALLOWED_PORTS`). */
  allowedPorts: readonly number[];
  /** Lifts the address rule for demo mode and tests (config `RELAIS_ALLOW_PRIVATE_SMTP_HOSTS`). */
  allowPrivate: boolean;
  resolver?: Resolver;
}

/** Where to connect: `address` for the socket, `host` for TLS SNI and certificate checks. */
export interface SmtpTarget {
  host: string;
  port: number;
  address: string;
  family: 4 | 6;
}

/** Why an address is refused; stable slugs carried in `details.reason`. */
export type AddressRejection =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'unique-local'
  | 'ipv4-mapped'
  | 'ipv4-compatible'
  | 'nat64'
  | '6to4'
  | 'teredo'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'invalid';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

type AddressRule = { readonly reason: AddressRejection } & (
  | { readonly range: string }
  | { readonly cidr: string }
);

/**
 * Every address rule, in order; the first match decides. `range` names are those of
 * ipaddr.js's `range()`; `cidr` rules cover what ipaddr.js files too coarsely (its
 * `reserved` mixes documentation and benchmarking blocks) or not at all (IPv4-compatible
 * IPv6, IPv6 outside the global unicast block 2000::/3).
 */
const ADDRESS_RULES: readonly AddressRule[] = [
  { range: 'unspecified', reason: 'unspecified' }, // 0.0.0.0/8, ::
  { range: 'broadcast', reason: 'broadcast' }, // 255.255.255.255
  { range: 'multicast', reason: 'multicast' }, // 224.0.0.0/4, ff00::/8
  { range: 'loopback', reason: 'loopback' }, // 127.0.0.0/8, ::1
  { range: 'private', reason: 'private' }, // 10/8, 172.16/12, 192.168/16
  { range: 'deprecatedSiteLocal', reason: 'private' }, // fec0::/10
  { range: 'linkLocal', reason: 'link-local' }, // 169.254/16 (cloud metadata), fe80::/10
  { range: 'carrierGradeNat', reason: 'cgnat' }, // 100.64/10
  { range: 'uniqueLocal', reason: 'unique-local' }, // fc00::/7
  { range: 'ipv4Mapped', reason: 'ipv4-mapped' }, // ::ffff:0:0/96
  { range: 'rfc6145', reason: 'ipv4-mapped' }, // ::ffff:0:0:0/96 (IPv4-translated)
  { cidr: '::/96', reason: 'ipv4-compatible' }, // after :: and ::1 above
  { range: 'rfc6052', reason: 'nat64' }, // 64:ff9b::/96, 64:ff9b:1::/48
  { range: '6to4', reason: '6to4' }, // 2002::/16
  { range: 'teredo', reason: 'teredo' }, // 2001::/32
  { cidr: '192.0.2.0/24', reason: 'documentation' },
  { cidr: '198.51.100.0/24', reason: 'documentation' },
  { cidr: '203.0.113.0/24', reason: 'documentation' },
  { cidr: '2001:db8::/32', reason: 'documentation' },
  { cidr: '3fff::/20', reason: 'documentation' },
  { cidr: '198.18.0.0/15', reason: 'benchmarking' },
  { range: 'benchmarking', reason: 'benchmarking' }, // 2001:2::/48
  { range: 'reserved', reason: 'reserved' }, // 192.0.0/24, 192.88.99/24, 240/4, 2001::/23…
  { range: 'as112', reason: 'reserved' }, // anycast DNS sinks, never a mail server
  { range: 'as112v6', reason: 'reserved' },
  { range: 'amt', reason: 'reserved' }, // multicast tunnelling relays
  { range: 'discard', reason: 'reserved' }, // 100::/64
  { range: 'deprecatedOrchid', reason: 'reserved' }, // non-routable identifiers
  { range: 'orchid2', reason: 'reserved' },
  { range: 'droneRemoteIdProtocolEntityTags', reason: 'reserved' },
  { range: 'segmentRouting', reason: 'reserved' }, // 5f00::/16
  { cidr: '::/3', reason: 'reserved' }, // IPv6 outside 2000::/3 is not global unicast
  { cidr: '4000::/2', reason: 'reserved' },
  { cidr: '8000::/1', reason: 'reserved' },
];

/** Never a usable destination, even when `allowPrivate` lifts the address rule. */
const NEVER_CONNECTABLE: ReadonlySet<AddressRejection> = new Set([
  'unspecified',
  'multicast',
  'broadcast',
  'invalid',
]);

/**
 * Where the IPv4 address sits inside the IPv6 forms that carry one (16-bit part indexes).
 * Those forms are refused whatever they carry (a real relay publishes a native address);
 * the embedded IPv4 is named in the message, and with `allowPrivate` it must not be a
 * never-connectable address either (::ffff:0.0.0.0 reaches this machine).
 */
const EMBEDDED_IPV4: Partial<Record<AddressRejection, (parts: number[], address: ipaddr.IPv6) => number[] | null>> = {
  'ipv4-mapped': (p) => [p[6] ?? 0, p[7] ?? 0],
  'ipv4-compatible': (p) => [p[6] ?? 0, p[7] ?? 0],
  nat64: (p, a) => (a.match(NAT64_WELL_KNOWN) ? [p[6] ?? 0, p[7] ?? 0] : null),
  '6to4': (p) => [p[1] ?? 0, p[2] ?? 0],
  teredo: (p) => [~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff], // client address, inverted
};
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

const COMPILED_RULES = ADDRESS_RULES.map((rule) =>
  'cidr' in rule ? { reason: rule.reason, cidr: ipaddr.parseCIDR(rule.cidr) } : rule,
);

interface Classification {
  reason: AddressRejection | null;
  embedded?: { address: string; reason: AddressRejection | null };
}

function classify(address: Address): Classification {
  const range: string = address.range();
  let reason: AddressRejection | null = null;
  for (const rule of COMPILED_RULES) {
    const matches =
      'cidr' in rule
        ? rule.cidr[0].kind() === address.kind() && address.match(rule.cidr)
        : rule.range === range;
    if (matches) {
      reason = rule.reason;
      break;
    }
  }
  // Fail closed on any special range a later ipaddr.js adds that the table does not know.
  if (reason === null && range !== 'unicast') reason = 'reserved';
  const embed = reason && address.kind() === 'ipv6' ? EMBEDDED_IPV4[reason] : undefined;
  const words = embed?.((address as ipaddr.IPv6).parts, address as ipaddr.IPv6);
  if (!reason || !words) return { reason };
  const [high = 0, low = 0] = words;
  const ipv4 = new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  return { reason, embedded: { address: ipv4.toString(), reason: classify(ipv4).reason } };
}

function isRefused(c: Classification, allowPrivate: boolean): boolean {
  if (c.reason === null) return false;
  if (!allowPrivate) return true;
  return NEVER_CONNECTABLE.has(c.reason) || (!!c.embedded?.reason && NEVER_CONNECTABLE.has(c.embedded.reason));
}

/** Classifies an IP address (any spelling `parseIpLiteral` accepts) under the strict rule. */
export function classifyAddress(ip: string): { allowed: true } | { allowed: false; reason: AddressRejection } {
  const address = parseAddress(ip);
  const { reason } = address ? classify(address) : { reason: 'invalid' as const };
  return reason === null ? { allowed: true } : { allowed: false, reason };
}

/**
 * The normalised address when `host` is any spelling of an IP address, else null:
 * IPv6 bare or in brackets (no zone id), and every IPv4 form inet_aton accepts
 * (127.1, 127.0.1, 0x7f000001, 2130706433, 0177.0.0.1, 0x7f.0.0.1…).
 */
export function parseIpLiteral(host: string): string | null {
  return parseAddress(host)?.toString() ?? null;
}

function parseAddress(text: string): Address | null {
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (inner.includes(':')) {
    // WHATWG's IPv6 parser is strict (no zone id, dotted tail in plain decimal) and prints
    // the canonical form; ipaddr.js would read `::1.2.3.4` as IPv4-mapped, which it is not.
    if (!/^[0-9a-f:.]+$/i.test(inner)) return null;
    try {
      return ipaddr.IPv6.parse(new URL(`http://[${inner}]/`).hostname.slice(1, -1));
    } catch {
      return null;
    }
  }
  if (inner !== text || !ipaddr.IPv4.isValid(text)) return null;
  return ipaddr.IPv4.parse(text);
}

export function checkPort(port: number, allowedPorts: readonly number[]): void {
  if (Number.isInteger(port) && port >= 1 && port <= 65535 && allowedPorts.includes(port)) return;
  const list = formatList(allowedPorts.map(String));
  const shown = preview(String(port));
  const valid = Number.isInteger(port) && port >= 1 && port <= 65535;
  throw new AppError(
    'smtp_port_not_allowed',
    valid
      ? `Port ${shown} is not allowed: Relais connects to mail servers on port ${list} only.`
      : `${shown} is not a valid port: Relais connects to mail servers on port ${list} only.`,
    { port, allowedPorts: [...allowedPorts] },
  );
}

/**
 * Validates port and host, resolves the host once and returns the address to connect to.
 * Call before every connection. Throws AppError `smtp_port_not_allowed`,
 * `smtp_host_invalid`, `smtp_host_not_found` or `smtp_address_not_allowed`.
 */
export async function resolveSmtpTarget(host: string, port: number, options: GuardOptions): Promise<SmtpTarget> {
  checkPort(port, options.allowedPorts);
  return { ...(await resolveGuardedHost(host, options)), port };
}

/**
 * The host rule alone (no port list), for other connections Relais makes to addresses it is
 * given (webhook endpoints): same syntax checks, one resolution, every address public unicast.
 */
export async function resolveGuardedHost(host: string, options: Omit<GuardOptions, 'allowedPorts'>): Promise<Omit<SmtpTarget, 'port'>> {
  const parsed = parseHost(host);
  if (parsed.kind === 'ip') {
    assertAllowed(parsed.address, undefined, options.allowPrivate);
    return target(parsed.address.toString(), parsed.address);
  }
  const name = parsed.name;
  let answers: { address: string }[];
  try {
    answers = await (options.resolver ?? systemResolver).lookup(name);
  } catch (error) {
    throw notFound(name, error);
  }
  if (answers.length === 0) throw notFound(name, Object.assign(new Error('no address'), { code: 'ENODATA' }));
  const addresses = answers.map(({ address }) => {
    const parsedAddress = parseAddress(address);
    if (!parsedAddress) throw addressError(name, preview(address), { reason: 'invalid' });
    return parsedAddress;
  });
  for (const address of addresses) assertAllowed(address, name, options.allowPrivate);
  return target(name, addresses[0] as Address);
}

function target(host: string, address: Address): Omit<SmtpTarget, 'port'> {
  return { host, address: address.toString(), family: address.kind() === 'ipv6' ? 6 : 4 };
}

function assertAllowed(address: Address, name: string | undefined, allowPrivate: boolean): void {
  const classification = classify(address);
  if (isRefused(classification, allowPrivate)) throw addressError(name, address.toString(), classification);
}

// ---------------------------------------------------------------------------------------
// Host syntax

type ParsedHost = { kind: 'ip'; address: Address } | { kind: 'name'; name: string };

type HostProblem =
  | 'empty'
  | 'too-long'
  | 'url'
  | 'port-in-host'
  | 'at-sign'
  | 'forbidden-character'
  | 'invalid-ip'
  | 'invalid-name';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** A last label made of digits or 0x-hex means an IP spelling, never a DNS name. */
const NUMERIC_LABEL = /^(?:\d+|0x[0-9a-f]*)$/i;

function parseHost(raw: string): ParsedHost {
  if (typeof raw !== 'string' || raw.trim() === '') throw hostError(raw, 'empty');
  if (raw.length > 255) throw hostError(raw, 'too-long');
  if (/[\s\p{Cc}\p{Cf}]/u.test(raw)) throw hostError(raw, 'forbidden-character');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw hostError(raw, 'url');
  if (raw.includes('@')) throw hostError(raw, 'at-sign');
  if (raw.includes('[') || raw.includes(']') || raw.includes(':')) {
    const address = parseAddress(raw);
    if (address?.kind() === 'ipv6') return { kind: 'ip', address };
    throw hostError(raw, /^(?:[^:[\]]+|\[[^\]]*\]):\d*$/.test(raw) ? 'port-in-host' : 'invalid-ip');
  }
  // Internationalised names go through IDNA, whose mapping can itself yield an IP
  // spelling (full-width digits and dots), so everything below runs on its output.
  // eslint-disable-next-line no-control-regex
  let host = /[^\x00-\x7f]/.test(raw) ? domainToASCII(raw) : raw.toLowerCase();
  if (host === '') throw hostError(raw, 'invalid-name');
  if (host.endsWith('.')) host = host.slice(0, -1); // absolute name, same host
  const address = parseAddress(host);
  if (address) return { kind: 'ip', address };
  const labels = host.split('.');
  if (NUMERIC_LABEL.test(labels[labels.length - 1] ?? '')) throw hostError(raw, 'invalid-ip');
  if (host.length > 253) throw hostError(raw, 'too-long');
  if (!labels.every((label) => LABEL.test(label))) throw hostError(raw, 'invalid-name');
  return { kind: 'name', name: host };
}

// ---------------------------------------------------------------------------------------
// Errors an owner can act on

const HOST_PROBLEMS: Record<HostProblem, (shown: string) => string> = {
  empty: () => 'Enter the host name of your SMTP server, for example smtp.example.com.',
  'too-long': () => 'The SMTP host is too long to be a host name (253 characters at most).',
  url: (s) => `Enter only the server name (for example smtp.example.com), not an address like ${s}.`,
  'port-in-host': (s) => `Remove the port from ${s} and enter it in the Port field instead.`,
  'at-sign': (s) => `${s} contains "@": enter the server's name here, and the user name in the authentication settings.`,
  'forbidden-character': (s) => `${s} contains spaces or characters that a host name cannot have.`,
  'invalid-ip': (s) => `${s} is not a valid IP address.`,
  'invalid-name': (s) => `${s} is not a valid host name: use letters, digits, hyphens and dots, for example smtp.example.com.`,
};

function hostError(raw: unknown, problem: HostProblem): AppError {
  const shown = `"${preview(typeof raw === 'string' ? raw : '')}"`;
  return new AppError('smtp_host_invalid', HOST_PROBLEMS[problem](shown), { problem });
}

const LOOKUP_FAILURES: Record<string, (name: string) => string> = {
  ENOTFOUND: (n) => `${n} does not exist in DNS; check the spelling of the SMTP host.`,
  ENODATA: (n) => `${n} has no IP address in DNS; check the spelling of the SMTP host.`,
  EAI_AGAIN: (n) => `The DNS lookup of ${n} failed temporarily; try again in a moment.`,
};

function notFound(name: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code in LOOKUP_FAILURES)) return error;
  const message = (LOOKUP_FAILURES[code] as (n: string) => string)(name);
  return new AppError('smtp_host_not_found', message, { host: name, code }, { cause: error });
}

const REASON_TEXT: Record<AddressRejection, string> = {
  unspecified: 'an unspecified address ("this machine")',
  loopback: "a loopback address (the server's own machine)",
  private: 'a private network address',
  'link-local': 'a link-local address (local network segment or cloud metadata service)',
  cgnat: "a carrier-grade NAT address (an internet provider's shared network)",
  'unique-local': 'a private IPv6 network address',
  'ipv4-mapped': 'an IPv4 address written in IPv6 form',
  'ipv4-compatible': 'an obsolete IPv4-compatible IPv6 address',
  nat64: 'a NAT64 translation address',
  '6to4': 'a 6to4 tunnel address',
  teredo: 'a Teredo tunnel address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address that is not used on the public internet',
  documentation: 'an address reserved for documentation examples',
  benchmarking: 'an address reserved for network benchmarks',
  invalid: 'not a valid IP address',
};

function addressError(name: string | undefined, shown: string, c: Classification): AppError {
  const reason = c.reason ?? 'invalid';
  const subject = name ? `${name} resolves to ${shown},` : `${shown} is`;
  const embedded = c.embedded ? ` (${c.embedded.address})` : '';
  const outcome = NEVER_CONNECTABLE.has(reason)
    ? 'no mail server can be reached there.'
    : 'Relais only connects to public mail servers.';
  return new AppError('smtp_address_not_allowed', `${subject} ${REASON_TEXT[reason]}${embedded}; ${outcome}`, {
    reason,
    address: shown,
    ...(name ? { host: name } : {}),
    ...(c.embedded ? { embeddedAddress: c.embedded.address } : {}),
  });
}

/** Owner input shown back in a message: printable ASCII only, and short. */
function preview(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 63)}…` : printable;
}

function formatList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '(none)';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
