/**
 * A step-by-step SMTP client for the flight check.
 *
 * Delivery goes through nodemailer's SMTPConnection, which runs greeting, EHLO and STARTTLS
 * as one `connect()` and MAIL, RCPT and DATA as one `send()`: it can neither time those
 * steps apart nor stop after RCPT without sending a message. This client drives the same
 * protocol one command at a time over a socket the caller opened to the guard-approved
 * address, with the connection policy of delivery (session-policy.ts).
 *
 * It keeps no server text it could not parse as an SMTP reply (see NOT_SMTP), so a web or
 * SSH banner read from a mistyped port can never be shown back.
 */
import net from 'node:net';
import tls from 'node:tls';
import { fromNodemailerError } from '../failure.ts';
import type { NetworkFailure } from '../failure.ts';

/** A complete reply: its code and every line as received ("250-…\n250 …"). */
export interface Reply {
  code: number;
  text: string;
}

/** A failure without a reply, named by the failure kinds of failure.ts. */
export class SessionError extends Error {
  constructor(
    readonly network: NetworkFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SessionError';
  }
}

/** Replies worth reading are a few kilobytes; a peer that sends more is not an SMTP server. */
const MAX_REPLY_BYTES = 64 * 1024;
const REPLY_LINE = /^\d{3}(?:[ -]|$)/;

function networkOf(error: unknown, fallback: NetworkFailure): NetworkFailure {
  return fromNodemailerError(error).network ?? fallback;
}

/**
 * Resolves with the socket once it emits `ready` (connect, secureConnect); destroys it and
 * rejects with a SessionError on an error or when `timeoutMs` passes first.
 */
function whenReady<S extends net.Socket>(
  socket: S,
  ready: 'connect' | 'secureConnect',
  timeoutMs: number,
  failure: { timeout: NetworkFailure; error: NetworkFailure; what: string },
): Promise<S> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SessionError(failure.timeout, `no ${failure.what} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new SessionError(networkOf(error, failure.error), `${failure.what} failed`, { cause: error }));
    });
  });
}

/** Opens a TCP connection to an address the guard approved; an abort of `signal` destroys it. */
export function connectTcp(address: string, port: number, family: 4 | 6, timeoutMs: number, signal?: AbortSignal): Promise<net.Socket> {
  return whenReady(net.connect({ host: address, port, family, ...(signal ? { signal } : {}) }), 'connect', timeoutMs, {
    timeout: 'ETIMEDOUT',
    error: 'ECONNRESET',
    what: 'TCP connection',
  });
}

interface Waiter {
  resolve: (reply: Reply) => void;
  reject: (error: SessionError) => void;
  timer: NodeJS.Timeout;
}

export class SmtpSession {
  private socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private lines: string[] = [];
  private lineBytes = 0;
  private readonly replies: Reply[] = [];
  private failure: SessionError | undefined;
  private waiter: Waiter | undefined;

  constructor(socket: net.Socket) {
    this.socket = socket;
    this.attach(socket);
  }

  /** The TLS socket once implicit TLS or STARTTLS succeeded. */
  get tlsSocket(): tls.TLSSocket | undefined {
    return this.socket instanceof tls.TLSSocket ? this.socket : undefined;
  }

  /** Waits for the next complete reply. */
  read(timeoutMs: number, onTimeout: NetworkFailure = 'SOCKET_TIMEOUT'): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new SessionError(onTimeout, `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
    });
  }

  /** Sends one command line and waits for its reply. */
  command(line: string, timeoutMs: number): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.read(timeoutMs);
  }

  write(data: string | Buffer): void {
    if (!this.failure && this.socket.writable) this.socket.write(data);
  }

  /**
   * Runs a TLS handshake over the current socket (implicit TLS right after connecting, or
   * after a 220 reply to STARTTLS). Fails when the server already sent more bytes: they
   * were written before encryption, so they could have been injected on the way.
   */
  async startTls(options: tls.ConnectionOptions, timeoutMs: number): Promise<tls.TLSSocket> {
    if (this.pending.length > 0 || this.lines.length > 0 || this.replies.length > 0) {
      throw new SessionError('TLS_HANDSHAKE', 'the server sent data before the TLS handshake');
    }
    if (this.failure) throw this.failure;
    const plain = this.socket;
    this.detach(plain);
    const secure = await whenReady(tls.connect({ ...options, socket: plain }), 'secureConnect', timeoutMs, {
      timeout: 'TLS_HANDSHAKE',
      error: 'TLS_HANDSHAKE',
      what: 'TLS handshake',
    }).catch((error: unknown) => {
      plain.destroy();
      this.failure = error as SessionError;
      throw error;
    });
    this.socket = secure;
    this.attach(secure);
    return secure;
  }

  /** Ends the session politely (QUIT), without waiting for the server. */
  quit(): void {
    if (!this.failure && this.socket.writable) {
      this.socket.end('QUIT\r\n');
      setTimeout(() => this.socket.destroy(), 1000).unref();
    } else {
      this.destroy();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (let end = this.pending.indexOf(0x0a); end !== -1; end = this.pending.indexOf(0x0a)) {
      const line = this.pending.subarray(0, end).toString('utf8').replace(/\r$/, '');
      this.pending = this.pending.subarray(end + 1);
      if (!this.acceptLine(line)) return;
    }
    if (this.pending.length > MAX_REPLY_BYTES) this.fail(new SessionError('NOT_SMTP', 'reply too long'));
  };

  private acceptLine(line: string): boolean {
    if (!REPLY_LINE.test(line)) {
      // Not an SMTP reply: its words are dropped, never stored.
      this.fail(new SessionError('NOT_SMTP', 'the server did not answer as an SMTP server'));
      return false;
    }
    this.lines.push(line);
    this.lineBytes += line.length;
    if (this.lineBytes > MAX_REPLY_BYTES) {
      this.fail(new SessionError('NOT_SMTP', 'reply too long'));
      return false;
    }
    if (line[3] === '-') return true;
    const reply: Reply = { code: Number(line.slice(0, 3)), text: this.lines.join('\n') };
    this.lines = [];
    this.lineBytes = 0;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.resolve(reply);
    } else {
      this.replies.push(reply);
    }
    return true;
  }

  private readonly onError = (error: Error): void => {
    this.fail(new SessionError(networkOf(error, 'ECONNRESET'), 'connection error', { cause: error }));
  };

  private readonly onClose = (): void => {
    this.fail(new SessionError('CONNECTION_CLOSED', 'the server closed the connection'));
  };

  private fail(error: SessionError): void {
    if (this.failure) return;
    this.failure = error;
    this.pending = Buffer.alloc(0);
    this.lines = [];
    this.socket.destroy();
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
  }
}
