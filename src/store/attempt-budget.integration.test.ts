// Attempt budgets: in memory, and in the database on every dialect — reservations are atomic
// under concurrency, waits are exact, and two processes on one PostgreSQL database share counts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { DatabaseAttemptBudget, MemoryAttemptBudget, createAttemptBudget, type AttemptBudget } from './attempt-budget.ts';
import { openStore } from './store.ts';

const WINDOW = 15 * 60_000;
const limits = (ip: string) => [
  { key: 'sign-in:email:a@x.test', max: 5 },
  { key: `sign-in:ip:${ip}`, max: 20 },
];

const kinds: { name: string; open(clock: ManualClock): Promise<{ budget: AttemptBudget; close(): Promise<void> }> }[] = [
  { name: 'memory', open: async (clock) => ({ budget: new MemoryAttemptBudget(clock), close: async () => {} }) },
  ...(await dialects()).map((dialect) => ({
    name: `database (${dialect})`,
    open: async (clock: ManualClock) => {
      const db = await createTestDatabase(dialect);
      return { budget: new DatabaseAttemptBudget(db.store.db, clock), close: () => db.drop() };
    },
  })),
];

for (const kind of kinds) {
  describe(`attempt budget: ${kind.name}`, () => {
    test('of 60 reservations at once, exactly the limit pass; the rest learn when the oldest leaves the window', async () => {
      const clock = new ManualClock();
      const { budget, close } = await kind.open(clock);
      try {
        const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => budget.reserve({ attemptId: `a${i}`, limits: limits('10.0.0.1'), windowMs: WINDOW })));
        assert.equal(answers.filter((a) => a.ok).length, 5);
        for (const answer of answers) if (!answer.ok) assert.equal(answer.retryAfterMs, WINDOW);
        clock.advance(WINDOW - 1);
        const still = await budget.reserve({ attemptId: 'b', limits: limits('10.0.0.2'), windowMs: WINDOW });
        assert.deepEqual(still, { ok: false, retryAfterMs: 1 });
        clock.advance(1);
        assert.deepEqual(await budget.reserve({ attemptId: 'c', limits: limits('10.0.0.2'), windowMs: WINDOW }), { ok: true });
      } finally {
        await close();
      }
    });

    test('a refused reservation counts against none of its keys; release and clear take attempts back', async () => {
      const clock = new ManualClock();
      const { budget, close } = await kind.open(clock);
      try {
        const ip = [{ key: 'ip', max: 3 }];
        for (let i = 0; i < 2; i++) assert.ok((await budget.reserve({ attemptId: `ip${i}`, limits: ip, windowMs: WINDOW })).ok);
        for (let i = 0; i < 5; i++) assert.ok((await budget.reserve({ attemptId: `e${i}`, limits: [{ key: 'email', max: 5 }], windowMs: WINDOW })).ok);
        // Refused by the address: the IP's count stays at 2.
        const refused = await budget.reserve({ attemptId: 'x', limits: [{ key: 'email', max: 5 }, ...ip], windowMs: WINDOW });
        assert.equal(refused.ok, false);
        assert.ok((await budget.reserve({ attemptId: 'ip2', limits: ip, windowMs: WINDOW })).ok);
        assert.equal((await budget.reserve({ attemptId: 'ip3', limits: ip, windowMs: WINDOW })).ok, false);
        await budget.release('ip2', 'ip');
        assert.ok((await budget.reserve({ attemptId: 'ip4', limits: ip, windowMs: WINDOW })).ok);
        await budget.clear('email');
        assert.ok((await budget.reserve({ attemptId: 'y', limits: [{ key: 'email', max: 5 }], windowMs: WINDOW })).ok);
      } finally {
        await close();
      }
    });
  });
}

describe('attempt budget across processes', async () => {
  const onPostgres = (await dialects()).includes('postgres');
  let db: TestDatabase | undefined;
  after(async () => {
    await db?.drop();
  });

  test('two processes on one PostgreSQL database share one count', { skip: !onPostgres && 'PostgreSQL not reachable (required in CI)' }, async () => {
    db = await createTestDatabase('postgres');
    const other = openStore(db.target);
    try {
      const clock = new ManualClock();
      const first = createAttemptBudget(db.store, clock);
      const second = createAttemptBudget(other, clock);
      assert.ok(first instanceof DatabaseAttemptBudget, 'PostgreSQL counts in the database');
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? first : second).reserve({ attemptId: `a${i}`, limits: limits('10.0.0.1'), windowMs: WINDOW })),
      );
      assert.equal(answers.filter((a) => a.ok).length, 5);
    } finally {
      await other.close();
    }
  });

  test('embedded SQLite serves one process and counts in memory', async () => {
    const sqlite = await createTestDatabase('sqlite');
    try {
      assert.ok(createAttemptBudget(sqlite.store, new ManualClock()) instanceof MemoryAttemptBudget);
    } finally {
      await sqlite.drop();
    }
  });
});
