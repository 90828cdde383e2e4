// One suite, every dialect: a fresh SQLite file or a fresh PostgreSQL schema per test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { openStore, type DatabaseTarget, type Store } from '../../src/store/store.ts';

export type Dialect = 'sqlite' | 'postgres';

/** PostgreSQL for tests; TEST_POSTGRES_URL overrides the machine's default. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let postgresUp: Promise<boolean> | undefined;

/** Whether PostgreSQL answers. In CI its absence is a failure, never a skip. */
export function postgresAvailable(): Promise<boolean> {
  postgresUp ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresUp;
}

/** The dialects to run: both in CI (PostgreSQL required), SQLite alone on a laptop without PostgreSQL. */
export async function dialects(): Promise<Dialect[]> {
  if (await postgresAvailable()) return ['sqlite', 'postgres'];
  if (process.env.CI) throw new Error(`PostgreSQL is required in CI but does not answer at ${POSTGRES_URL}`);
  console.warn(`# PostgreSQL not reachable at ${POSTGRES_URL}: PostgreSQL cases skipped (they are required in CI)`);
  return ['sqlite'];
}

export function tempDir(prefix = 'relais-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestDatabase {
  target: DatabaseTarget;
  store: Store;
  /** Closes the store and drops the schema or file. */
  drop(): Promise<void>;
}

/**
 * Creating, migrating and dropping test schemas take turns across every test process: the
 * migrator reads the catalog of all schemas, and one dropped under it fails the read.
 */
async function withSchemaLock<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(7227424)');
    return await fn(client);
  } finally {
    await client.query('select pg_advisory_unlock(7227424)').catch(() => {});
    await client.end();
  }
}

/** A migrated, empty database of the given dialect, private to the caller. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = tempDir();
    const target: DatabaseTarget = { kind: 'sqlite', file: path.join(dir, 'relais.db') };
    const store = openStore(target);
    await migrateToLatest(store);
    return {
      target,
      store,
      async drop() {
        await store.close().catch(() => {});
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  // Its sessions carry the schema's name, so a test may cut exactly its own (pg_terminate_backend).
  const target: DatabaseTarget = { kind: 'postgres', url: POSTGRES_URL, schema, applicationName: schema };
  const store = openStore(target);
  await withSchemaLock(async (c) => {
    await c.query(`create schema ${schema}`);
    await migrateToLatest(store);
  });
  return {
    target,
    store,
    async drop() {
      await store.close().catch(() => {});
      await withSchemaLock((c) => c.query(`drop schema ${schema} cascade`));
    },
  };
}
