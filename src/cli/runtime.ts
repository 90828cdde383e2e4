// What every CLI command shares: config from the environment and an open, migrated store.
import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { ensurePrivateDirectory } from '../store/file-modes.ts';
import { classifyDatabaseError } from '../store/database-faults.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { openStore, type Store } from '../store/store.ts';

export function configOrExit(overrides: { demo?: boolean } = {}): Config {
  try {
    return loadConfig(process.env, overrides);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`relais: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * Opens the configured database. In embedded mode the data dir (database, key file) is made
 * private first: created 0700, or set to 0700 — like database files readable by other
 * accounts, which are set to 0600 — with a warning saying so.
 */
export function openPrivateStore(config: Config, logger?: Logger): Store {
  const warn = (message: string): void => (logger ? logger.warn({ path: config.dataDir }, message) : console.warn(`relais: ${message}`));
  if (config.database.kind === 'sqlite' || fs.existsSync(config.dataDir)) {
    for (const warning of ensurePrivateDirectory(config.dataDir)) warn(warning);
  }
  return openStore(config.database, { warn });
}

export async function openMigratedStore(config: Config, logger?: Logger): Promise<Store> {
  const store = openPrivateStore(config, logger);
  await waitForDatabase(store, config, logger);
  await migrateToLatest(store);
  return store;
}

export function fail(message: string, code = 1): never {
  console.error(`relais: ${message}`);
  process.exit(code);
}

/** Where the database is, for messages: host and port, never the credentials of its URL. */
function databaseLocation(config: Config): string {
  if (config.database.kind === 'sqlite') return config.database.file;
  try {
    return new URL(config.database.url).host || 'localhost';
  } catch {
    return 'RELAIS_DATABASE_URL';
  }
}

/**
 * Start-up before the database (a container started before PostgreSQL): waits and retries,
 * saying so once, up to RELAIS_DATABASE_WAIT_SECONDS; then exits with a one-line explanation.
 * Errors other than an absent database (wrong password, no such database) fail at once.
 */
async function waitForDatabase(store: Store, config: Config, logger?: Logger): Promise<void> {
  const waitSeconds = config.databaseWaitSeconds;
  const deadline = Date.now() + waitSeconds * 1000;
  const where = databaseLocation(config);
  let pauseMs = 250;
  let waiting = false;
  for (;;) {
    try {
      await sql`select 1`.execute(store.db);
      if (waiting) logger?.info({ database: where }, 'the database answers; starting');
      return;
    } catch (error) {
      if (!classifyDatabaseError(error)) throw error;
      const reason = (error as { code?: string }).code ?? (error as Error).message;
      if (Date.now() >= deadline) {
        await store.close().catch(() => {});
        fail(`the database at ${where} did not answer within ${waitSeconds} s (${reason}); check RELAIS_DATABASE_URL and that the database is running, or raise RELAIS_DATABASE_WAIT_SECONDS.`);
      }
      if (!waiting) {
        waiting = true;
        const line = `waiting for the database at ${where} (${reason}); retrying for up to ${waitSeconds} s`;
        if (logger) logger.warn({ database: where, reason }, line);
        else console.error(`relais: ${line}`);
      }
      await delay(Math.max(0, Math.min(pauseMs, deadline - Date.now())));
      pauseMs = Math.min(5000, pauseMs * 2);
    }
  }
}
