// The baselines: a platform sending straight to the sink, without Relais — nodemailer's pooled
// transport, nodemailer with a new connection per message, and a raw pipelined writer
// (RFC 2920: the end of one message and the next MAIL, RCPT, DATA in one write) that shows
// what the sink itself can take.
import net from 'node:net';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { benchMessage, concurrently, now, type Sink } from './support.ts';

export interface DirectResult {
  messages: number;
  seconds: number;
  perSecond: number;
  connections: number;
}

function mailOf(i: number): SendMailOptions {
  const m = benchMessage(`direct-${i}`);
  return { from: 'Platform <hello@platform.example>', to: m.to as string, subject: m.subject as string, text: m.text as string, html: m.html as string, headers: m.headers as Record<string, string> };
}

export async function nodemailerPooled(sink: Sink, count: number, clients: number, delayMs = 0): Promise<DirectResult> {
  await sink.reset(delayMs);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 5, maxMessages: Infinity });
  const t0 = now();
  await concurrently(count, clients, async (i) => void (await transport.sendMail(mailOf(i))));
  const seconds = (now() - t0) / 1000;
  transport.close();
  const { connections } = await sink.stats();
  return { messages: count, seconds, perSecond: count / seconds, connections };
}

export async function nodemailerPerMessage(sink: Sink, count: number, clients: number): Promise<DirectResult> {
  await sink.reset();
  const t0 = now();
  await concurrently(count, clients, async (i) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
    await transport.sendMail(mailOf(i));
    transport.close();
  });
  const seconds = (now() - t0) / 1000;
  const { connections } = await sink.stats();
  return { messages: count, seconds, perSecond: count / seconds, connections };
}

/** The same ~2 KB MIME message nodemailer composes, written raw. */
async function rawMessage(): Promise<Buffer> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await composer.sendMail(mailOf(0));
  return dotStuff(info.message as Buffer);
}

function dotStuff(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..'), 'latin1');
}

/** `connections` sockets, each sending its share with one round trip per message. */
export async function rawPipelined(sink: Sink, count: number, connections = 5): Promise<DirectResult> {
  await sink.reset();
  const body = await rawMessage();
  const envelope = 'MAIL FROM:<hello@platform.example>\r\nRCPT TO:<learner@example.org>\r\nDATA\r\n';
  const t0 = now();
  await Promise.all(
    Array.from({ length: connections }, (_, c) => {
      const share = Math.floor(count / connections) + (c < count % connections ? 1 : 0);
      return share > 0 ? pipelinedConnection(sink.port, share, body, envelope) : Promise.resolve();
    }),
  );
  const seconds = (now() - t0) / 1000;
  const stats = await sink.stats();
  return { messages: stats.count, seconds, perSecond: stats.count / seconds, connections };
}

function pipelinedConnection(port: number, share: number, body: Buffer, envelope: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = '';
    let stage: 'greeting' | 'ehlo' | 'sending' = 'greeting';
    let sent = 0;
    let replies = 0;
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (line[3] === '-') continue;
        const code = Number(line.slice(0, 3));
        if (code >= 400) return reject(new Error(`sink answered ${line}`));
        if (stage === 'greeting') {
          stage = 'ehlo';
          socket.write('EHLO bench.example\r\n');
        } else if (stage === 'ehlo') {
          stage = 'sending';
          socket.write(envelope);
        } else if (code === 354) {
          // The message, its end, and the next envelope in one write.
          sent += 1;
          socket.write(Buffer.concat([body, Buffer.from(sent < share ? `\r\n.\r\n${envelope}` : '\r\n.\r\nQUIT\r\n')]));
        } else if (code === 250 && ++replies === sent * 3 && sent === share) {
          socket.end();
          resolve();
        }
      }
    });
  });
}
