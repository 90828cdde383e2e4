import { migrateToLatest } from '../store/migrate.ts';
import { enableIncrementalVacuum } from '../store/reclaim-space.ts';
import { configOrExit, openPrivateStore } from './runtime.ts';

export async function migrateCommand(options: { compact?: boolean } = {}): Promise<void> {
  const config = configOrExit();
  const store = openPrivateStore(config);
  try {
    const result = await migrateToLatest(store);
    const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    if (options.compact) {
      console.log(
        (await enableIncrementalVacuum(store))
          ? 'SQLite database rewritten in incremental auto-vacuum mode: space freed by retention now returns to the disk.'
          : 'Nothing to compact: the database already returns freed space (or is PostgreSQL, whose autovacuum does it).',
      );
    }
  } finally {
    await store.close();
  }
}
