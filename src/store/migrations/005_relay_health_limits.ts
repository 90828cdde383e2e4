// Relay health (consecutive relay-level failures, the current incident, the next probe),
// per-relay limit overrides, the send slots that pace each relay, and messages forced onto the
// platform sender (relay alerts must never travel through the relay they are about).
import type { Kysely } from 'kysely';
import type { Capabilities } from '../capabilities.ts';

export async function up(db: Kysely<unknown>, caps: Capabilities): Promise<void> {
  const relayColumns: [string, 'text' | 'integer' | 'bigint', boolean][] = [
    // JSON of the owner's overrides of the preset's limits; null keeps the preset's.
    ['limits', 'text', false],
    ['consecutive_failures', 'integer', true],
    ['failure_error_code', 'text', false],
    ['failure_reply', 'text', false],
    ['failure_at', 'bigint', false],
    ['failing_since', 'bigint', false],
    ['next_probe_at', 'bigint', false],
    ['probe_attempts', 'integer', true],
  ];
  for (const [name, type, counter] of relayColumns) {
    await db.schema
      .alterTable('smtp_relays')
      .addColumn(name, type, (c) => (counter ? c.notNull().defaultTo(0) : c))
      .execute();
  }
  await db.schema.createIndex('smtp_relays_probe_due').on('smtp_relays').columns(['status', 'next_probe_at']).execute();

  await db.schema.alterTable('messages').addColumn('forced_route', 'text').execute();

  // One row per send handed to a relay: in flight until finished_at, then what the relay
  // accepted. Windows (second, minute, hour, day) are counted from here, so every process
  // sharing the database sees the same counts.
  await db.schema
    .createTable('relay_sends')
    .addColumn('id', caps.serialType, (c) => (caps.serialType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('relay_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('recipients', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('relay_sends_window').on('relay_sends').columns(['relay_id', 'started_at']).execute();
  await db.schema.createIndex('relay_sends_by_message').on('relay_sends').columns(['message_id']).execute();
}
