// Retention of webhook deliveries: the pruner picks final deliveries by status and by when
// they became final (`updated_at`), and deletes their attempts by delivery.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('webhook_deliveries_final').on('webhook_deliveries').columns(['status', 'updated_at']).execute();
  await db.schema.createIndex('webhook_attempts_by_delivery').on('webhook_attempts').columns(['delivery_id']).execute();
}
