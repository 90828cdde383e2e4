// `npm run bench`: Relais over HTTP end to end beside a platform sending directly, on SQLite
// and PostgreSQL, in one run; prints one table and writes bench/results.json.
// BENCH_QUICK=1 runs small counts (under a minute); see BENCHMARKS.md for every variable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresAvailable } from '../test/support/databases.ts';
import { nodemailerPerMessage, nodemailerPooled, rawPipelined, type DirectResult } from './direct.ts';
import { summarizeProfile, type ProfileSummary } from './profile-summary.ts';
import {
  backlog,
  endToEnd,
  remoteRelay,
  steadyLatency,
  withRelais,
  type BacklogResult,
  type LatencyResult,
  type RemoteResult,
  type ThroughputResult,
  WAIT_LIMIT_MS,
} from './relais-scenarios.ts';
import { submissionVsHttp, type Rates } from './smtp-submission.ts';
import { envNumber, startSink, type StoreKind } from './support.ts';

const quick = process.env.BENCH_QUICK === '1';
const MESSAGES = envNumber('BENCH_MESSAGES', quick ? 400 : 3000);
const CLIENTS = envNumber('BENCH_CLIENTS', 32);
const LATENCY_SECONDS = envNumber('BENCH_LATENCY_SECONDS', quick ? 3 : 20);
const BACKLOG = envNumber('BENCH_BACKLOG', quick ? 3000 : 100_000);
const BACKLOG_WINDOW = envNumber('BENCH_BACKLOG_WINDOW_SECONDS', quick ? 4 : 15);
const REMOTE_MESSAGES = envNumber('BENCH_REMOTE_MESSAGES', quick ? 60 : 300);
const REMOTE_DELAY_MS = envNumber('BENCH_REMOTE_DELAY_MS', 50);
const SMTP_MESSAGES = envNumber('BENCH_SMTP_MESSAGES', quick ? 100 : 500);
const SMTP_CLIENTS = envNumber('BENCH_SMTP_CLIENTS', 4);
const PROFILE = process.env.BENCH_PROFILE === '1';
const scenarios = new Set((process.env.BENCH_SCENARIOS ?? 'direct,e2e,latency,remote,backlog,smtp').split(','));
const requested = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',') as StoreKind[];
const stores: StoreKind[] = [];
for (const s of requested) {
  if (s === 'postgres' && !(await postgresAvailable())) console.warn('# PostgreSQL does not answer: its rows are left out');
  else stores.push(s);
}

interface StoreResults {
  endToEnd?: ThroughputResult;
  latency?: LatencyResult;
  remote?: RemoteResult;
  backlog?: BacklogResult;
  /** SMTP submission beside the HTTP API, same messages, same Relais. */
  submission?: { http: Rates; smtp: Rates };
  profile?: ProfileSummary;
}

const results: {
  at: string;
  machine: { cpus: string; cores: number; memoryGb: number; node: string; platform: string };
  settings: Record<string, number>;
  direct: { pooled?: DirectResult; perMessage?: DirectResult; rawPipelined?: DirectResult; remotePooled?: DirectResult };
  stores: Partial<Record<StoreKind, StoreResults>>;
} = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` },
  settings: { messages: MESSAGES, clients: CLIENTS, latencySeconds: LATENCY_SECONDS, backlog: BACKLOG, backlogWindowSeconds: BACKLOG_WINDOW, remoteMessages: REMOTE_MESSAGES, remoteDelayMs: REMOTE_DELAY_MS, smtpMessages: SMTP_MESSAGES, smtpClients: SMTP_CLIENTS },
  direct: {},
  stores: {},
};

const sink = await startSink();
const started = Date.now();
const log = (line: string) => console.error(`# [${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`);
try {
  if (scenarios.has('direct')) {
    log('nodemailer pooled, per message, raw pipelined');
    results.direct.pooled = await nodemailerPooled(sink, MESSAGES, CLIENTS);
    results.direct.perMessage = await nodemailerPerMessage(sink, Math.min(MESSAGES, 1000), CLIENTS);
    results.direct.rawPipelined = await rawPipelined(sink, MESSAGES);
  }
  if (scenarios.has('remote') && scenarios.has('direct')) {
    results.direct.remotePooled = await nodemailerPooled(sink, REMOTE_MESSAGES, CLIENTS, REMOTE_DELAY_MS);
  }
  for (const store of stores) {
    const r: StoreResults = {};
    results.stores[store] = r;
    const profileDir = PROFILE && store === 'sqlite' ? fs.mkdtempSync(path.join(os.tmpdir(), 'relais-prof-')) : undefined;
    if (scenarios.has('e2e') || scenarios.has('latency') || scenarios.has('remote')) {
      await withRelais(
        store,
        sink,
        async (relais) => {
          if (scenarios.has('e2e')) {
            log(`${store}: end to end, ${MESSAGES} messages`);
            r.endToEnd = await endToEnd(relais, sink, MESSAGES, CLIENTS);
          }
          if (scenarios.has('latency')) {
            log(`${store}: latency at 100 msg/s`);
            r.latency = await steadyLatency(relais, sink, 100, LATENCY_SECONDS);
          }
          if (scenarios.has('remote')) {
            log(`${store}: remote relay`);
            r.remote = await remoteRelay(relais, sink, REMOTE_MESSAGES, REMOTE_DELAY_MS);
          }
        },
        profileDir ? { cpuProfileDir: profileDir } : {},
      );
    }
    if (profileDir) {
      const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        fs.copyFileSync(path.join(profileDir, file), path.join(import.meta.dirname, `profile-${store}.cpuprofile`));
        r.profile = summarizeProfile(path.join(profileDir, file));
      }
      fs.rmSync(profileDir, { recursive: true, force: true });
    }
    if (scenarios.has('backlog')) {
      log(`${store}: ${BACKLOG} queued by one organization`);
      r.backlog = await backlog(store, sink, BACKLOG, BACKLOG_WINDOW);
    }
    if (scenarios.has('smtp')) {
      log(`${store}: SMTP submission vs HTTP, ${SMTP_MESSAGES} messages`);
      r.submission = await submissionVsHttp(store, SMTP_MESSAGES, SMTP_CLIENTS);
    }
  }
} finally {
  sink.close();
}

fs.writeFileSync(path.join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
printTable();

function printTable(): void {
  const f = (n: number | undefined | null, digits = 0) =>
    n === undefined || n === null || Number.isNaN(n) ? '—' : n === Number.POSITIVE_INFINITY ? `> ${WAIT_LIMIT_MS}` : n.toFixed(digits);
  const pooled = results.direct.pooled?.perSecond;
  const rows: string[][] = [['', 'msg/s', '× nodemailer pooled', 'notes']];
  const d = results.direct;
  if (d.pooled) rows.push(['nodemailer pooled (5 connections)', f(d.pooled.perSecond), '1.00', `${d.pooled.messages} messages, ${CLIENTS} concurrent sendMail`]);
  if (d.perMessage) rows.push(['nodemailer, new connection per message', f(d.perMessage.perSecond), pooled ? f(d.perMessage.perSecond / pooled, 2) : '—', `${d.perMessage.messages} messages`]);
  if (d.rawPipelined) rows.push(['raw pipelined writer (sink limit)', f(d.rawPipelined.perSecond), pooled ? f(d.rawPipelined.perSecond / pooled, 2) : '—', '5 connections']);
  for (const [store, r] of Object.entries(results.stores)) {
    if (r.endToEnd) {
      const e = r.endToEnd;
      rows.push([`Relais ${store}, HTTP end to end`, f(e.endToEndPerSecond), pooled ? f(e.endToEndPerSecond / pooled, 2) : '—', `accept ${f(e.acceptPerSecond)}/s; ${e.deliveredDuringAccept} of ${e.messages} sent while accepting`]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\nThroughput (${MESSAGES} messages of ~2 KB text+HTML, ${CLIENTS} concurrent clients, loopback sink)`);
  for (const row of rows) console.log(`  ${line(row)}`);
  for (const [store, r] of Object.entries(results.stores)) {
    if (r.latency) console.log(`  ${store}: accept → 250 at ${r.latency.ratePerSecond} msg/s: p50 ${f(r.latency.p50, 1)} ms, p90 ${f(r.latency.p90, 1)} ms, p99 ${f(r.latency.p99, 1)} ms, max ${f(r.latency.max, 1)} ms`);
    if (r.backlog) {
      const b = r.backlog;
      console.log(`  ${store}: ${b.backlog} queued by one organization: peak RSS ${f(b.peakRssMb)} MB; quiet organization's message sent in ${f(b.quietMessageMs)} ms; high-priority message of the busy one in ${f(b.highPriorityMs)} ms; drain ${f(b.drainPerSecond)} msg/s`);
    }
    if (r.remote) {
      const nm = results.direct.remotePooled;
      console.log(
        `  ${store}: remote relay (${REMOTE_DELAY_MS} ms per reply): ${f(r.remote.perConnectionPerSecond, 2)} msg/s per connection (${r.remote.connections} connections)` +
          (nm ? `; nodemailer pooled ${f(nm.messages / nm.seconds / Math.max(1, nm.connections), 2)} (${nm.connections}) → ratio ${f(r.remote.perConnectionPerSecond / (nm.messages / nm.seconds / Math.max(1, nm.connections)), 2)}` : ''),
      );
    }
    if (r.submission) {
      const { http, smtp } = r.submission;
      console.log(
        `  ${store}: SMTP submission (STARTTLS, AUTH, ${SMTP_CLIENTS} pooled connections) ${f(smtp.endToEndPerSecond)} msg/s end to end vs HTTP ${f(http.endToEndPerSecond)} msg/s (${SMTP_CLIENTS} clients) → ratio ${f(smtp.endToEndPerSecond / http.endToEndPerSecond, 2)}`,
      );
    }
    if (r.profile) {
      console.log(`  ${store} CPU profile (${r.profile.samples} samples), self time by package: ${r.profile.byPackage.slice(0, 8).map((p) => `${p.name} ${p.percent}%`).join(', ')}`);
      for (const fn of r.profile.topFunctions.slice(0, 10)) console.log(`    ${String(fn.percent).padStart(5)}%  ${fn.name}`);
    }
  }
}
