// The benchmark's SMTP sink: smtp-server on loopback, in a process of its own so that its CPU
// is not shared with the senders measured. It accepts everything, records when each message's
// end of data arrived (keyed by its X-Bench-Id header) and counts the connections that carried them. With a reply
// delay it plays a remote relay: every MAIL, RCPT and end-of-data reply waits that long.
// Driven over IPC by bench/sink-client.ts.
import { SMTPServer } from 'smtp-server';

interface Command {
  type: 'reset' | 'stats' | 'arrivals' | 'arrival';
  delayMs?: number;
  id?: string;
  seq: number;
}

let delayMs = 0;
let count = 0;
/** Connections that carried a message since the last reset (pooled ones opened earlier included). */
let sessions = new Set<string>();
let arrivals = new Map<string, number>();
const now = (): number => performance.timeOrigin + performance.now();
const later = (callback: () => void): void => {
  if (delayMs > 0) setTimeout(callback, delayMs);
  else callback();
};

const server = new SMTPServer({
  name: 'sink.bench',
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  disableReverseLookup: true,
  maxAllowedUnauthenticatedCommands: false,
  logger: false,
  maxClients: 10_000,
  onMailFrom(_address, _session, callback) {
    later(() => callback());
  },
  onRcptTo(_address, _session, callback) {
    later(() => callback());
  },
  onData(stream, session, callback) {
    sessions.add(session.id);
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      if (head.length < 8192) head += chunk.toString('latin1');
    });
    stream.on('end', () => {
      const at = now();
      count += 1;
      const id = /^X-Bench-Id: *(\S+)/im.exec(head)?.[1];
      if (id) arrivals.set(id, at);
      later(() => callback(null, 'Queued'));
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ type: 'ready', port });
});

process.on('message', (command: Command) => {
  if (command.type === 'reset') {
    delayMs = command.delayMs ?? 0;
    count = 0;
    sessions = new Set();
    arrivals = new Map();
    process.send?.({ type: 'done', seq: command.seq });
  } else if (command.type === 'stats') {
    process.send?.({ type: 'done', seq: command.seq, count, connections: sessions.size });
  } else if (command.type === 'arrival') {
    process.send?.({ type: 'done', seq: command.seq, count, connections: sessions.size, at: arrivals.get(command.id ?? '') });
  } else {
    process.send?.({ type: 'done', seq: command.seq, count, connections: sessions.size, arrivals: Object.fromEntries(arrivals) });
  }
});
process.on('disconnect', () => server.close(() => process.exit(0)));
