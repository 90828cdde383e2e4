// SMTP submission, the context's public surface: platforms that already send with an SMTP
// library point it at Relais (an API key as the password) instead of their provider, and each
// message enters the same outbox as the HTTP API's, with `source: "smtp"`. The process (cli)
// starts it beside the HTTP API; tests start it on random ports.
import type { AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';
import type { Relais } from '../relais.ts';
import { ROUTING_HEADERS_BOUND } from '../smtp/compose-size.ts';
import { DEFAULT_AUTH_SETTINGS } from '../tenants/session.ts';
import { createSubmissionServer, type SubmissionHandlerDeps } from './submission-server.ts';
import { exists } from './submission-sign-in.ts';

export { PLATFORM_USERNAME } from './submission-sign-in.ts';
export { ORGANIZATION_HEADER } from './submitted-message.ts';

export interface SubmissionOptions {
  host: string;
  /** STARTTLS (or plain, with insecure AUTH) port; 0 picks a free one; undefined: none. */
  port?: number;
  /** Implicit TLS port; 0 picks a free one; undefined: none. Needs `tls`. */
  tlsPort?: number;
  /** PEM certificate and key presented by STARTTLS and implicit TLS. */
  tls?: { cert: string; key: string };
  /** AUTH before TLS (tests, loopback, the demo). */
  allowInsecureAuth: boolean;
  /** Failed sign-ins allowed per client address and their window; sign-in's per-IP limit by default. */
  maxFailuresPerAddress?: number;
  windowMs?: number;
}

export interface SubmissionServer {
  /** Ports listened on (the chosen ones when 0 was asked). */
  port: number | undefined;
  tlsPort: number | undefined;
  /** Largest message accepted, as announced in EHLO SIZE. */
  sizeLimit: number;
  close(): Promise<void>;
}

async function listen(server: SMTPServer, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(port, host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  return (server.server.address() as AddressInfo).port;
}

function close(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts the submission server(s) of a Relais instance. */
export async function startSubmission(relais: Relais, options: SubmissionOptions): Promise<SubmissionServer> {
  // The limit announced leaves room for the routing headers written at send time.
  const sizeLimit = relais.config.maxMessageBytes - ROUTING_HEADERS_BOUND;
  const deps: SubmissionHandlerDeps = {
    logger: relais.logger.child({ component: 'smtp-submission' }),
    metrics: relais.metrics,
    attempts: relais.attempts,
    verifyApiKey: (presented) => relais.apiKeys.verify(presented),
    organizationExists: (id) => exists(() => relais.organizations.get(id)),
    maxFailuresPerAddress: options.maxFailuresPerAddress ?? DEFAULT_AUTH_SETTINGS.loginMaxFailuresPerIp,
    windowMs: options.windowMs ?? DEFAULT_AUTH_SETTINGS.loginWindowMs,
    sizeLimit,
    accept: (organizationId, submission) => relais.accept.acceptSubmission(organizationId, submission),
  };
  const servers: SMTPServer[] = [];
  try {
    let port: number | undefined;
    let tlsPort: number | undefined;
    if (options.port !== undefined) {
      const server = createSubmissionServer(deps, { secure: false, tls: options.tls, allowInsecureAuth: options.allowInsecureAuth });
      servers.push(server);
      port = await listen(server, options.host, options.port);
    }
    if (options.tlsPort !== undefined) {
      if (!options.tls) throw new Error('SMTP submission on implicit TLS needs a certificate and key');
      const server = createSubmissionServer(deps, { secure: true, tls: options.tls, allowInsecureAuth: options.allowInsecureAuth });
      servers.push(server);
      tlsPort = await listen(server, options.host, options.tlsPort);
    }
    return {
      port,
      tlsPort,
      sizeLimit,
      async close() {
        await Promise.all(servers.map(close));
      },
    };
  } catch (error) {
    await Promise.all(servers.map(close));
    throw error;
  }
}
