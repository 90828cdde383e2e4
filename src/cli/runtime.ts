// What every CLI command shares: config from the environment and an open, migrated store.
import fs from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { ensurePrivateDirectory } from '../store/file-modes.ts';
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
  await migrateToLatest(store);
  return store;
}

export function fail(message: string, code = 1): never {
  console.error(`relais: ${message}`);
  process.exit(code);
}
