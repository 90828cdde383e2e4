// What every benchmark scenario shares: the sink process, the message sent, HTTP clients,
// a Relais process per store, and small statistics.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from '../test/support/process.ts';
import { POSTGRES_URL } from '../test/support/databases.ts';

export const API_KEY = 'rls_bench-key-0123456789abcdef0123';
const SECRET_KEY = randomBytes(32).toString('base64');
export const now = (): number => performance.timeOrigin + performance.now();
const ROOT = path.resolve(import.meta.dirname, '..');

// ---- the sink ----

export interface SinkStats {
  count: number;
  connections: number;
  arrivals?: Record<string, number>;
  at?: number;
}

export interface Sink {
  port: number;
  reset(delayMs?: number): Promise<void>;
  stats(): Promise<SinkStats>;
  arrivals(): Promise<Record<string, number>>;
  /** When the message with this X-Bench-Id arrived, if it did. */
  arrival(id: string): Promise<number | undefined>;
  /** Resolves once `n` messages arrived; the time of the last poll that saw them. */
  waitFor(n: number, timeoutMs: number): Promise<number>;
  close(): void;
}

export async function startSink(): Promise<Sink> {
  const child = fork(path.join(import.meta.dirname, 'sink.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', () => reject(new Error('sink exited')));
  });
  let seq = 0;
  const pending = new Map<number, (stats: SinkStats) => void>();
  child.on('message', (m: SinkStats & { seq?: number }) => {
    if (m.seq !== undefined) pending.get(m.seq)?.(m);
    if (m.seq !== undefined) pending.delete(m.seq);
  });
  const ask = (type: string, extra: object = {}): Promise<SinkStats> =>
    new Promise((resolve) => {
      seq += 1;
      pending.set(seq, resolve);
      child.send({ type, seq, ...extra });
    });
  return {
    port,
    reset: async (delayMs = 0) => void (await ask('reset', { delayMs })),
    stats: () => ask('stats'),
    arrivals: async () => (await ask('arrivals')).arrivals ?? {},
    arrival: async (id) => (await ask('arrival', { id })).at,
    async waitFor(n, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { count } = await ask('stats');
        if (count >= n) return now();
        if (Date.now() > deadline) throw new Error(`sink received ${count} of ${n} messages within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => child.disconnect(),
  };
}

// ---- the message: ~2 KB of text and HTML ----

const PARAGRAPH =
  'Bonjour, vous avez participé à la session « Gestes et postures » du mardi 14 mars. Merci de signer votre feuille de présence avant vendredi : ' +
  'votre organisme de formation en a besoin pour le financement de la formation. ';

export function benchMessage(id: string, to = 'learner@example.org'): Record<string, unknown> {
  return {
    to,
    subject: `Signez votre feuille de présence (${id})`,
    text: PARAGRAPH.repeat(4),
    html: `<html><body>${`<p>${PARAGRAPH}</p>`.repeat(4)}<p><a href="https://platform.example/sign/${id}">Signer</a></p></body></html>`,
    headers: { 'X-Bench-Id': id },
    category: 'signature-request',
  };
}

// ---- HTTP clients ----

export class HttpClients {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  constructor(private readonly port: number) {}

  request(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path: pathname,
          agent: this.agent,
          headers: { authorization: `Bearer ${API_KEY}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async send(orgId: string, message: Record<string, unknown>): Promise<void> {
    const res = await this.request('POST', `/v1/organizations/${orgId}/messages`, message);
    if (res.status !== 202) throw new Error(`send answered ${res.status}: ${res.body.slice(0, 300)}`);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `count` jobs with `clients` of them at a time. */
export async function concurrently(count: number, clients: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(clients, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

// ---- Relais as a real process ----

export type StoreKind = 'sqlite' | 'postgres';

export interface RelaisUnderTest {
  port: number;
  pid: number;
  http: HttpClients;
  databaseUrl?: string;
  dataDir: string;
  stop(): Promise<void>;
  /** Peak resident set (VmHWM) and current one (VmRSS), in MB. */
  memory(): { peakMb: number; rssMb: number };
}

export interface Database {
  kind: StoreKind;
  dataDir: string;
  /** postgres://… of a database of its own; absent for SQLite. */
  url?: string;
  drop(): Promise<void>;
}

export async function createDatabase(kind: StoreKind): Promise<Database> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-'));
  if (kind === 'sqlite') return { kind, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  const name = `relais_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    dataDir,
    url: url.toString(),
    async drop() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function startRelais(
  database: Database,
  sinkPort: number,
  options: { cpuProfileDir?: string; env?: Record<string, string> } = {},
): Promise<RelaisUnderTest> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    RELAIS_DATA_DIR: database.dataDir,
    RELAIS_PORT: String(port),
    RELAIS_HOST: '127.0.0.1',
    RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${sinkPort}?starttls=never`,
    RELAIS_PLATFORM_FROM: 'Platform <hello@platform.example>',
    RELAIS_BOOTSTRAP_API_KEY: API_KEY,
    RELAIS_SECRET_KEY: SECRET_KEY,
    RELAIS_LOG_LEVEL: 'error',
    ...(database.url ? { RELAIS_DATABASE_URL: database.url } : {}),
    ...options.env,
  };
  const flags = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...flags, path.join(ROOT, 'bin/relais.mjs'), 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (gone || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`relais did not become ready\n--- relais output ---\n${out.slice(-3000)}`);
    }
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid ?? 0;
  const clients = new HttpClients(port);
  return {
    port,
    pid,
    http: clients,
    dataDir: database.dataDir,
    ...(database.url ? { databaseUrl: database.url } : {}),
    async stop() {
      clients.close();
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    memory() {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
    },
  };
}

export async function createOrganization(relais: RelaisUnderTest, id: string): Promise<void> {
  const res = await relais.http.request('POST', '/v1/organizations', { id, name: id });
  if (res.status !== 201) throw new Error(`create organization answered ${res.status}: ${res.body}`);
}

// ---- statistics ----

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export const envNumber = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};
