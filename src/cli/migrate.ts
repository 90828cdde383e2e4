import { migrateToLatest } from '../store/migrate.ts';
import { configOrExit, openPrivateStore } from './runtime.ts';

export async function migrateCommand(): Promise<void> {
  const config = configOrExit();
  const store = openPrivateStore(config);
  try {
    const result = await migrateToLatest(store);
    const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
  } finally {
    await store.close();
  }
}
