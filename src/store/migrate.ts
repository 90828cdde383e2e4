// Numbered migrations, applied in order; each receives the backend's capabilities.
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Capabilities } from './capabilities.ts';
import type { Store } from './store.ts';
import * as m001 from './migrations/001_initial.ts';

interface NumberedMigration {
  up(db: Kysely<unknown>, caps: Capabilities): Promise<void>;
}

/** Add new migrations at the end; never edit or reorder a released one. */
const MIGRATIONS: Record<string, NumberedMigration> = {
  '001_initial': m001,
};

export async function migrateToLatest(store: Store): Promise<MigrationResultSet> {
  const migrations: Record<string, Migration> = Object.fromEntries(
    Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, store.capabilities) }]),
  );
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'relais_migrations',
    migrationLockTableName: 'relais_migrations_lock',
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new Error(`Database migration failed: ${result.error instanceof Error ? result.error.message : String(result.error)}`, {
      cause: result.error,
    });
  }
  return result;
}
