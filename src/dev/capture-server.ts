// The demo's local SMTP server: plays the platform's default sender (and demo relays) and
// keeps what it receives in memory for the dev inbox page. Never used outside demo mode.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface CapturedEmail {
  id: number;
  /** Which demo server took it: the platform's default sender or the demo organization's relay. */
  server: 'platform' | 'relay';
  receivedAt: number;
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string;
  subject: string;
  messageId: string;
  raw: string;
}

export interface DemoRelay {
  host: string;
  port: number;
  username: string;
  password: string;
}

export interface DevInbox {
  readonly url: string;
  readonly port: number;
  list(): CapturedEmail[];
  get(id: number): CapturedEmail | undefined;
  /**
   * Starts a second capture server that plays an organization's own relay (AUTH required,
   * plain text on loopback), feeding the same inbox. Tries `preferredPort`, else any port.
   */
  startRelay(credentials: { username: string; password: string }, preferredPort?: number): Promise<DemoRelay>;
  close(): Promise<void>;
}

const KEEP = 500;

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
}

async function listen(server: SMTPServer, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.server.address() as AddressInfo).port;
}

export async function startDevInbox(options: { host?: string; port?: number } = {}): Promise<DevInbox> {
  const host = options.host ?? '127.0.0.1';
  const emails: CapturedEmail[] = [];
  let nextId = 1;
  const servers: SMTPServer[] = [];

  const capture = (label: CapturedEmail['server'], auth?: { username: string; password: string }) =>
    new SMTPServer({
      authOptional: !auth,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      banner: label === 'platform' ? 'Relais dev inbox (platform sender)' : 'Relais dev inbox (demo organization relay)',
      logger: false,
      size: 50 * 1024 * 1024,
      onAuth(session, _info, callback) {
        if (auth && session.username === auth.username && session.password === auth.password) return callback(null, { user: auth.username });
        return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              emails.unshift({
                id: nextId++,
                server: label,
                receivedAt: Date.now(),
                envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                from: addressText(parsed.from),
                to: addressText(parsed.to),
                subject: parsed.subject ?? '',
                messageId: parsed.messageId ?? '',
                raw: raw.toString('utf8'),
              });
              emails.length = Math.min(emails.length, KEEP);
              callback(null, 'Ok: captured by the Relais dev inbox');
            },
            (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
          );
        });
      },
    });

  const platform = capture('platform');
  servers.push(platform);
  const port = await listen(platform, host, options.port ?? 0);
  return {
    url: `smtp://${host}:${port}`,
    port,
    list: () => [...emails],
    get: (id) => emails.find((e) => e.id === id),
    async startRelay(credentials, preferredPort) {
      const relay = capture('relay', credentials);
      servers.push(relay);
      let relayPort: number;
      try {
        relayPort = await listen(relay, host, preferredPort ?? 0);
      } catch {
        relayPort = await listen(relay, host, 0);
      }
      return { host, port: relayPort, ...credentials };
    },
    close: async () => {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
