// SIGKILL tests: a real Relais process on a private SQLite data directory, a capture SMTP
// server as its platform sender, and its database read directly once the process is dead.
import { after, before } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startSmtpFixture, type SmtpFixture } from './smtp-fixture.ts';
import { tempDir } from './databases.ts';
import { freePort, startRelaisProcess, type RelaisProcess } from './process.ts';

export interface DurabilityHarness {
  /** The platform sender the process delivers to (set once the suite's `before` ran). */
  readonly smtp: SmtpFixture;
  readonly apiKey: string;
  /** The process's HTTP base URL and the headers of a platform-key JSON request. */
  readonly base: string;
  readonly headers: Record<string, string>;
  /** Starts the process (again, on the same data directory after a kill), `env` added to the suite's. */
  start(env?: Record<string, string>): Promise<RelaisProcess>;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
  /** Rows of `query` read straight from the dead process's database file. */
  read<T>(query: string): T[];
}

/**
 * Call at the top of a test file. `env` adds to the process's environment (HTTP port, data
 * directory, platform sender, bootstrap key, 2 s leases and warn logs are set here).
 */
export function useDurabilityHarness(name: string, env: Record<string, string> = {}): DurabilityHarness {
  const apiKey = `rls_${name}-key-0123456789abcdef`;
  let smtp: SmtpFixture | undefined;
  let dataDir = '';
  let port = 0;
  let relais: RelaisProcess | undefined;
  const processEnv = (extra: Record<string, string>): Record<string, string> => ({
    RELAIS_DATA_DIR: dataDir,
    RELAIS_PORT: String(port),
    RELAIS_HOST: '127.0.0.1',
    RELAIS_PLATFORM_SMTP_URL: `smtp://127.0.0.1:${harness.smtp.port}`,
    RELAIS_PLATFORM_FROM: 'Platform <hello@platform.example>',
    RELAIS_BOOTSTRAP_API_KEY: apiKey,
    RELAIS_LEASE_SECONDS: '2',
    RELAIS_LOG_LEVEL: 'warn',
    ...env,
    ...extra,
  });
  before(async () => {
    smtp = await startSmtpFixture({ security: 'none' });
    dataDir = tempDir(`relais-${name}-`);
    port = await freePort();
  });
  after(async () => {
    relais?.kill('SIGKILL');
    await smtp?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const harness: DurabilityHarness = {
    get smtp() {
      if (!smtp) throw new Error('the durability harness starts in the suite’s before()');
      return smtp;
    },
    apiKey,
    get base() {
      return `http://127.0.0.1:${port}`;
    },
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    async start(extra = {}) {
      relais = await startRelaisProcess(processEnv(extra), harness.base);
      return relais;
    },
    async kill() {
      if (!relais) return;
      relais.kill('SIGKILL');
      await relais.exited;
      relais = undefined;
    },
    read<T>(query: string): T[] {
      const db = new DatabaseSync(path.join(dataDir, 'relais.db'), { readOnly: true });
      try {
        return db.prepare(query).all() as T[];
      } finally {
        db.close();
      }
    },
  };
  return harness;
}
