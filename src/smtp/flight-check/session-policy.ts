/**
 * How the flight check connects, kept identical to delivery (nodemailer-transport.ts): the
 * same timeouts, the same TLS options (SNI and certificate checks against the host name,
 * TLS 1.2 at least, extra authorities only when configured) and the same EHLO name. A check
 * that connected differently could pass while real mail fails.
 */
import net from 'node:net';
import os from 'node:os';
import type tls from 'node:tls';
import type { FlightCheckTimeouts } from './types.ts';

/** Delivery's DEFAULT_TIMEOUTS in nodemailer-transport.ts. */
export const DELIVERY_TIMEOUTS: Required<FlightCheckTimeouts> = Object.freeze({
  connection: 15_000,
  greeting: 15_000,
  socket: 60_000,
});

export function effectiveTimeouts(overrides: FlightCheckTimeouts | undefined): Required<FlightCheckTimeouts> {
  return { ...DELIVERY_TIMEOUTS, ...overrides };
}

/**
 * TLS options of a connection to `host`. Verification is done by the caller once the
 * handshake is over (see tls-certificate.ts) so the report can describe the certificate it
 * refuses; nothing is written on a connection whose certificate failed.
 */
export function tlsOptions(host: string, ca: string[] | undefined): tls.ConnectionOptions {
  return {
    ...(net.isIP(host) ? {} : { servername: host }),
    rejectUnauthorized: false,
    // Node's own identity check would run against the socket's address; the caller checks
    // the configured host name instead.
    checkServerIdentity: () => undefined,
    minVersion: 'TLSv1.2',
    ...(ca ? { ca } : {}),
  };
}

/** The EHLO name nodemailer sends when none is configured, as delivery does. */
export function defaultClientName(): string {
  let name: string;
  try {
    name = os.hostname() || '';
  } catch {
    name = 'localhost';
  }
  if (!name.includes('.')) name = '[127.0.0.1]';
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) name = `[${name}]`;
  return name.replace(/[\r\n]+/g, '');
}
