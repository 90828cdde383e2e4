// A real HTTP server receiving webhooks on 127.0.0.1: records every request (headers, raw
// body) and answers as the test's script says: a status (with headers), or `hang` (never
// answers, until the server closes).
import http from 'node:http';
import { listen } from './listen.ts';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  path: string;
  receivedAt: number;
}

export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Requests still waiting for an answer. */
  readonly hanging: number;
  /** Answers in order, then `fallback` (200 by default). */
  script(answers: ReceiverAnswer[], fallback?: ReceiverAnswer): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let queue: ReceiverAnswer[] = [];
  let fallback: ReceiverAnswer = { status: 200 };
  const received: ReceivedWebhook[] = [];
  const open = new Set<http.ServerResponse>();
  let waiters: (() => void)[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), path: request.url ?? '/', receivedAt: Date.now() });
      const answer = queue.shift() ?? fallback;
      for (const wake of waiters.splice(0)) wake();
      if (answer === 'hang') {
        open.add(response);
        response.on('close', () => open.delete(response));
        return;
      }
      response.writeHead(answer.status, answer.headers ?? {});
      response.end(answer.body ?? '');
    });
  });
  const port = await listen(server, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}/hooks/relais`,
    port,
    received,
    get hanging() {
      return open.size;
    },
    script(answers, otherwise = { status: 200 }) {
      queue = [...answers];
      fallback = otherwise;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhooks, received ${received.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      waiters = [];
      return received.slice(0, count);
    },
    async close() {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
