/**
 * How the flight check connects: read from delivery's own nodemailer options
 * (nodemailer-transport.ts), so the check uses the same timeouts and the same TLS options
 * (SNI and certificate checks against the host name, TLS 1.2 at least, extra authorities
 * only when configured) and cannot drift from them. A check that connected differently
 * could pass while real mail fails.
 *
 * One difference, on purpose: the certificate is verified by the check itself once the
 * handshake is over (tls-certificate.ts), so the report can describe the certificate it
 * refuses. Nothing is written on a connection whose certificate delivery would refuse.
 */
import os from 'node:os';
import type tls from 'node:tls';
import { nodemailerOptions } from '../nodemailer-transport.ts';
import type { FlightCheckTimeouts, Security } from './types.ts';

export interface ConnectionPolicy {
  timeouts: Required<FlightCheckTimeouts>;
  tls: tls.ConnectionOptions;
}

export function connectionPolicy(
  settings: { host: string; port: number; security: Security },
  options: { ca?: string[] | undefined; timeouts?: FlightCheckTimeouts | undefined },
): ConnectionPolicy {
  const delivery = nodemailerOptions({
    host: settings.host,
    port: settings.port,
    security: settings.security,
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });
  const timeouts = {
    connection: delivery.connectionTimeout ?? 15_000,
    greeting: delivery.greetingTimeout ?? 15_000,
    socket: delivery.socketTimeout ?? 60_000,
  };
  return {
    timeouts,
    tls: {
      ...delivery.tls,
      rejectUnauthorized: false,
      // Node's own identity check would run against the socket's address; the check
      // verifies the configured host name instead.
      checkServerIdentity: () => undefined,
    },
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
