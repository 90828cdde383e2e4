// The demo's local SMTP server: plays the platform's default sender (and demo relays) and
// keeps what it receives in memory for the dev inbox page. Never used outside demo mode.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface CapturedEmail {
  id: number;
  receivedAt: number;
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string;
  subject: string;
  messageId: string;
  raw: string;
}

export interface DevInbox {
  readonly url: string;
  readonly port: number;
  list(): CapturedEmail[];
  get(id: number): CapturedEmail | undefined;
  close(): Promise<void>;
}

const KEEP = 500;

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
}

export async function startDevInbox(options: { host?: string; port?: number } = {}): Promise<DevInbox> {
  const host = options.host ?? '127.0.0.1';
  const emails: CapturedEmail[] = [];
  let nextId = 1;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    banner: 'Relais dev inbox',
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            emails.unshift({
              id: nextId++,
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${host}:${port}`,
    port,
    list: () => [...emails],
    get: (id) => emails.find((e) => e.id === id),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
