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

/**
 * Calls `onWake` whenever another process notifies; returns a function that stops listening.
 * When the connection drops (restart, failover), it says so once, reconnects with a growing
 * delay (1 s doubling to 30 s) until the database answers, and wakes the dispatcher then: a
 * notification sent meanwhile was lost.
 */
export async function listenOutbox(store: Store, onWake: () => void, logger: Logger): Promise<() => Promise<void>> {
  if (!store.capabilities.listenNotify || !store.postgres) return async () => {};
  let client: pg.Client | undefined;
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client(store.postgres);
    c.on('notification', () => onWake());
    c.on('error', (error) => {
      if (client !== c) return;
      client = undefined;
      logger.warn({ err: error }, 'outbox listener lost its connection; reconnecting');
      c.end().catch(() => {});
      retry();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      await c.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    if (failures > 0) {
      logger.info('outbox listener connected again');
      onWake();
    }
    failures = 0;
  };
  const retry = (): void => {
    if (stopped) return;
    const waitMs = Math.min(30_000, 1000 * 2 ** failures);
    failures += 1;
    timer = setTimeout(() => void connect().catch(() => retry()), waitMs);
    timer.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await client?.end().catch(() => {});
  };
}
