// SMTP submission beside the HTTP API, alone (npm run bench runs it too, as scenario `smtp`).
// Run: node --import tsx bench/smtp-submission.bench.ts  (BENCH_MESSAGES=300, BENCH_CLIENTS=4)
import { postgresAvailable, type Dialect } from '../test/support/databases.ts';
import { submissionVsHttp, type Rates } from './smtp-submission.ts';

const N = Number(process.env.BENCH_MESSAGES ?? 300);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const dialects: Dialect[] = (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
console.log(`SMTP submission vs HTTP, ${N} messages, ${CLIENTS} concurrent clients`);
for (const d of dialects) {
  const { http, smtp } = await submissionVsHttp(d, N, CLIENTS);
  const line = (name: string, r: Rates) =>
    `  ${d.padEnd(8)} ${name.padEnd(4)} answered ${r.answeredPerSecond.toFixed(0).padStart(5)} msg/s   end to end ${r.endToEndPerSecond.toFixed(0).padStart(5)} msg/s`;
  console.log(line('http', http));
  console.log(line('smtp', smtp));
  console.log(`  ${d.padEnd(8)} smtp/http end to end: ${(smtp.endToEndPerSecond / http.endToEndPerSecond).toFixed(2)}`);
}
