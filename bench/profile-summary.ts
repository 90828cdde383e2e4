// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time by
// function and by package (kysely, better-sqlite3, pg, fastify, nodemailer, Relais's own code).
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface ProfileSummary {
  samples: number;
  byPackage: { name: string; percent: number }[];
  topFunctions: { name: string; percent: number }[];
}

function packageOf(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(idle)' || fn === '(program)') return fn;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m?.[1]) return m[1];
  const src = /\/src\/([^/]+)\//.exec(url);
  if (src?.[1]) return `relais/${src[1]}`;
  if (url.startsWith('node:')) return 'node';
  if (url === '') return `native`;
  return 'other';
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  let samples = 0;
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    samples += hits;
    const short = url.replace(/^.*\/(node_modules|src)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${short}${url ? `:${lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + hits);
    const pkg = packageOf(url, functionName);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + hits);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, n]) => ({ name, percent: Math.round((1000 * n) / samples) / 10 }));
  return { samples, byPackage: rank(byPkg), topFunctions: rank(byFn) };
}
