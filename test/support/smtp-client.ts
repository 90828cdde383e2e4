// A bare SMTP client for tests that must send what no library would (NUL or a bare CR in an
// address, AUTH before STARTTLS): one command at a time, each reply read in full.
import net from 'node:net';

export interface SmtpDialogue {
  /** Sends one command line (CRLF added) and resolves with the full reply (all its lines). */
  command(line: string): Promise<string>;
  /** Reads the next reply without sending anything (a line that held two commands has two). */
  reply(): Promise<string>;
  /** The greeting. */
  greeting: string;
  close(): void;
}

export async function openSmtpDialogue(port: number, host = '127.0.0.1'): Promise<SmtpDialogue> {
  const socket = net.connect({ port, host });
  let buffer = '';
  let waiter: ((reply: string) => void) | undefined;
  const takeReply = (): void => {
    // A complete reply ends with a line "NNN " (space after the code).
    const match = /(^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
    if (!match || !waiter) return;
    const end = match.index + match[0].length;
    const reply = buffer.slice(0, end).trim();
    buffer = buffer.slice(end);
    const resolve = waiter;
    waiter = undefined;
    resolve(reply);
  };
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    takeReply();
  });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SMTP reply; buffer: ${JSON.stringify(buffer)}`)), 5000);
      waiter = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      takeReply();
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const greeting = await next();
  return {
    greeting,
    reply: next,
    async command(line) {
      const reply = next();
      socket.write(Buffer.from(`${line}\r\n`, 'latin1'));
      return reply;
    },
    close() {
      socket.destroy();
    },
  };
}

/** The AUTH PLAIN initial response for these credentials. */
export function plainAuth(username: string, password: string): string {
  return Buffer.from(`\0${username}\0${password}`).toString('base64');
}
