// Puts a backlog straight into a stopped Relais's database (migrating it first): `count`
// queued messages of one organization, written in bulk so that 100,000 take seconds, shaped
// exactly as the accept path writes them (same payload, same recipients row).
import path from 'node:path';
import { systemClock } from '../src/clock.ts';
import { sendMessageSchema, toContent } from '../src/outbox/message.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { openStore, type DatabaseTarget } from '../src/store/store.ts';
import { OrganizationService } from '../src/tenants/organization.service.ts';
import { benchMessage, type Database } from './support.ts';

export async function prefill(database: Database, args: { organizations: string[]; backlogOrganization: string; count: number }): Promise<void> {
  const target: DatabaseTarget = database.url ? { kind: 'postgres', url: database.url } : { kind: 'sqlite', file: path.join(database.dataDir, 'relais.db') };
  const store = openStore(target);
  try {
    await migrateToLatest(store);
    const organizations = new OrganizationService(store.db, systemClock);
    for (const id of args.organizations) await organizations.create({ id, name: id });
    const content = JSON.stringify(toContent(sendMessageSchema.parse(benchMessage('backlog'))));
    const t = Date.now() - 1000;
    const BATCH = 500;
    for (let start = 0; start < args.count; start += BATCH) {
      const n = Math.min(BATCH, args.count - start);
      const ids = Array.from({ length: n }, (_, k) => `msg_backlog${String(start + k).padStart(8, '0')}`);
      await store.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('messages')
          .values(
            ids.map((id) => ({
              id,
              organization_id: args.backlogOrganization,
              status: 'queued',
              category: 'signature-request',
              message_id_header: `<${id}@platform.example>`,
              payload: content,
              size_bytes: 2600,
              recipient_count: 1,
              idempotency_key: null,
              request_hash: null,
              attempts: 0,
              next_attempt_at: t,
              lease_owner: null,
              lease_expires_at: null,
              route: null,
              last_reply: null,
              last_error_code: null,
              created_at: t,
              updated_at: t,
              sent_at: null,
              failed_at: null,
              resent_from: null,
              forced_route: null,
              subject: 'Signez votre feuille de présence',
              priority_rank: 1, source: 'api',
            })),
          )
          .execute();
        await tx
          .insertInto('message_recipients')
          .values(ids.map((id) => ({ message_id: id, position: 0, kind: 'to', address: 'learner@example.org', status: 'pending', reply: null, updated_at: t })))
          .execute();
      });
    }
  } finally {
    await store.close();
  }
}
