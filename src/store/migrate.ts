// Numbered migrations, applied in order; each receives the backend's capabilities.
import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Capabilities } from './capabilities.ts';
import type { Store } from './store.ts';
import * as m001 from './migrations/001_initial.ts';
import * as m002 from './migrations/002_members_sessions_audit.ts';
import * as m003 from './migrations/003_relays.ts';
import * as m004 from './migrations/004_recipients_events.ts';
import * as m005 from './migrations/005_relay_health_limits.ts';
import * as m006 from './migrations/006_message_subject.ts';
import * as m007 from './migrations/007_attempt_counts.ts';
import * as m008 from './migrations/008_check_explanation_ids.ts';
import * as m009 from './migrations/009_relay_oauth.ts';
import * as m010 from './migrations/010_oauth_connect.ts';
import * as m011 from './migrations/011_retention.ts';
import * as m012 from './migrations/012_webhooks.ts';
import * as m013 from './migrations/013_message_source.ts';
import * as m014 from './migrations/014_fair_claiming.ts';
import * as m016 from './migrations/016_readiness_probe.ts';
import * as m017 from './migrations/017_webhook_retention.ts';

interface NumberedMigration {
  up(db: Kysely<unknown>, caps: Capabilities): Promise<void>;
}

/** Add new migrations at the end; never edit or reorder a released one. */
const MIGRATIONS: Record<string, NumberedMigration> = {
  '001_initial': m001,
  '002_members_sessions_audit': m002,
  '003_relays': m003,
  '004_recipients_events': m004,
  '005_relay_health_limits': m005,
  '006_message_subject': m006,
  '007_attempt_counts': m007,
  '008_check_explanation_ids': m008,
  '009_relay_oauth': m009,
  '010_oauth_connect': m010,
  '011_retention': m011,
  '012_webhooks': m012,
  '013_message_source': m013,
  '014_fair_claiming': m014,
  '016_readiness_probe': m016,
  '017_webhook_retention': m017,
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
    ...(store.postgres ? { migrationTableSchema: await currentSchema(store) } : {}),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new Error(`Database migration failed: ${result.error instanceof Error ? result.error.message : String(result.error)}`, {
      cause: result.error,
    });
  }
  return result;
}

/**
 * Without an explicit schema, Kysely takes a migration table in *any* schema of the
 * database as ours: with several Relais schemas in one PostgreSQL database (tests, or
 * instances sharing a server) it then fails to read a table it never created.
 */
async function currentSchema(store: Store): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL reports no current schema: check search_path');
  return schema;
}
