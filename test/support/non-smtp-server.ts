// A TCP server that is not an SMTP server (SSH, HTTP…), for owners who typed the wrong
// port: Relais must report "not an SMTP server" and never show what the other side said.
import net from 'node:net';
import { listen } from './listen.ts';

/** What OpenSSH sends as soon as a client connects. */
export const SSH_BANNER = 'SSH-2.0-OpenSSH_9.6\r\n';

/** What an HTTP server answers to an SMTP command. */
export const HTTP_BAD_REQUEST =
  'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request';

export interface NonSmtpServerOptions {
  host?: string; // default '127.0.0.1'
  port?: number; // default 0 (random)
  /** Written as soon as a client connects; default SSH_BANNER, '' for a server that waits silently (HTTP). */
  banner?: string;
  /** Written in answer to the client's first bytes, then the connection ends; default: end without answering. */
  reply?: string;
}

export interface NonSmtpServer {
  host: string;
  port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Everything clients sent, in arrival order. */
  readonly received: string;
  close(): Promise<void>;
}

export async function startNonSmtpServer(options: NonSmtpServerOptions = {}): Promise<NonSmtpServer> {
  const host = options.host ?? '127.0.0.1';
  const banner = options.banner ?? SSH_BANNER;
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let received = '';

  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // a client resetting the connection is expected
    if (banner) socket.write(banner);
    socket.once('data', () => socket.end(options.reply ?? ''));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
  });
  const port = await listen(server, host, options.port);

  return {
    host,
    port,
    get connections() {
      return connections;
    },
    get received() {
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
