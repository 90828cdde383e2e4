// What every CLI command shares: config from the environment and an open, migrated store.
import { ConfigError, loadConfig, type Config } from '../config.ts';
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

export async function openMigratedStore(config: Config): Promise<Store> {
  const store = openStore(config.database);
  await migrateToLatest(store);
  return store;
}

export function fail(message: string, code = 1): never {
  console.error(`relais: ${message}`);
  process.exit(code);
}
