// Wakes dispatchers in other processes when work is accepted: PostgreSQL LISTEN/NOTIFY where
// the backend has it; elsewhere dispatchers rely on the in-process wake and their idle poll.
import pg from 'pg';
import { sql } from 'kysely';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';

const CHANNEL = 'relais_outbox';

/** Tells other processes that messages are due. A no-op without LISTEN/NOTIFY. */
export async function notifyOutbox(store: Store): Promise<void> {
  if (!store.capabilities.listenNotify) return;
  await sql`select pg_notify(${CHANNEL}, '')`.execute(store.db);
}

/** Calls `onWake` whenever another process notifies; returns a function that stops listening. */
export async function listenOutbox(store: Store, onWake: () => void, logger: Logger): Promise<() => Promise<void>> {
  if (!store.capabilities.listenNotify || !store.postgres) return async () => {};
  let client: pg.Client | undefined;
  let stopped = false;
  const connect = async (): Promise<void> => {
    const c = new pg.Client(store.postgres);
    c.on('notification', () => onWake());
    c.on('error', (error) => {
      logger.warn({ err: error }, 'outbox listener lost its connection; reconnecting');
      if (!stopped) setTimeout(() => void connect().catch(() => {}), 1000).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    client = c;
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => {});
  };
}
