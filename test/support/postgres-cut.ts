// Cuts a test's PostgreSQL sessions as a restart or failover does (pg_terminate_backend), only
// those of one application_name, between statements or under a running one.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { POSTGRES_URL } from './databases.ts';

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Terminates every session of `applicationName`; returns how many there were. */
export function terminateSessions(applicationName: string): Promise<number> {
  return withAdmin(async (admin) => {
    const r = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [applicationName]);
    return r.rowCount ?? 0;
  });
}

/**
 * Runs `work` while a lock on `table` holds its statement, terminates every session of
 * `applicationName` under it, then lets the lock go: the statement meets a dropped connection
 * mid-query, deterministically.
 */
export function terminateUnder<T>(args: { applicationName: string; table: string }, work: () => Promise<T>): Promise<T> {
  return withAdmin(async (locker) => {
    await locker.query('begin');
    await locker.query(`lock table ${args.table} in access exclusive mode`);
    const running = work();
    running.catch(() => {});
    // A second session: pg_stat_activity is read once per transaction.
    await withAdmin(async (admin) => {
      for (let i = 0; ; i += 1) {
        const r = await admin.query("select count(*)::int as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'", [args.applicationName]);
        if ((r.rows[0] as { n: number }).n >= 1) break;
        assert.ok(i < 400, 'the statement reached the lock');
        await delay(25);
      }
      const r = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [args.applicationName]);
      assert.ok((r.rowCount ?? 0) >= 1);
    });
    await locker.query('rollback');
    return running;
  });
}
