// A hostile SMTP server on a raw socket: it greets, then answers EHLO with one `250-` line
// per interval and never the last line. Every reply keeps the client's idle timeouts happy,
// so only an overall deadline ends the session. smtp-server cannot misbehave this way.
import net from 'node:net';
import { listen } from './listen.ts';

export interface DripServerOptions {
  host?: string; // default '127.0.0.1'
  port?: number; // default 0 (random)
  /** Time between two EHLO lines; default 1000 ms. */
  intervalMs?: number;
}

export interface DripServer {
  host: string;
  port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Connections still open (the client has not closed or destroyed them). */
  readonly open: number;
  /** Resolves once at most `n` connections are open; rejects after timeoutMs (default 5000). */
  waitForOpen(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startDripServer(options: DripServerOptions = {}): Promise<DripServer> {
  const host = options.host ?? '127.0.0.1';
  const intervalMs = options.intervalMs ?? 1000;
  const sockets = new Set<net.Socket>();
  const closedWaiters = new Set<() => void>();
  let connections = 0;

  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
      for (const check of closedWaiters) check();
    });
    socket.on('error', () => socket.destroy()); // the client destroying the connection is expected
    socket.write('220 drip.test ESMTP\r\n');
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (timer || !/^(EHLO|HELO) /im.test(buffered)) return;
      let line = 0;
      timer = setInterval(() => {
        line += 1;
        if (!socket.destroyed) socket.write(`250-drip.test still thinking (${line})\r\n`);
      }, intervalMs);
    });
  });
  const port = await listen(server, host, options.port);

  return {
    host,
    port,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    waitForOpen(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          closedWaiters.delete(check);
          reject(new Error(`drip server ${host}:${port}: ${sockets.size} connection(s) still open, expected at most ${n}`));
        }, timeoutMs);
        function check() {
          if (sockets.size > n) return;
          clearTimeout(timer);
          closedWaiters.delete(check);
          resolve();
        }
        closedWaiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
