// Group commit on every dialect: units that arrive together commit together, each is visible
// to another connection once its promise resolves, and a failing unit is rolled back alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';

for (const dialect of await dialects()) {
  describe(`group commit (${dialect})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(dialect);
    });
    after(async () => {
      await db.drop();
    });

    /** Organization ids committed, as another connection sees them. */
    async function committedElsewhere(): Promise<string[]> {
      if (db.target.kind === 'sqlite') {
        const other = new DatabaseSync(db.target.file, { readOnly: true });
        try {
          return (other.prepare('select id from organizations order by id').all() as { id: string }[]).map((r) => r.id);
        } finally {
          other.close();
        }
      }
      const client = new pg.Client({ connectionString: db.target.url, ...(db.target.schema ? { options: `-c search_path=${db.target.schema}` } : {}) });
      await client.connect();
      try {
        return (await client.query<{ id: string }>('select id from organizations order by id')).rows.map((r) => r.id);
      } finally {
        await client.end();
      }
    }

    test('concurrent units commit together; each is visible elsewhere once it resolves; a failing one is rolled back alone', async () => {
      const { commits } = db.store;
      const insert = (id: string) => (tx: Parameters<Parameters<typeof commits.run>[0]>[0]) =>
        tx.insertInto('organizations').values({ id, name: id, locale: 'fr', features: '{}', created_at: 1, updated_at: 1 }).execute();
      const units = Array.from({ length: 20 }, (_, i) =>
        commits.run(async (tx) => {
          await insert(`org-${String(i).padStart(2, '0')}`)(tx);
          if (i === 7) throw new Error('unit 7 refuses');
          return i;
        }),
      );
      const outcomes = await Promise.allSettled(units);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 19);
      const refused = outcomes[7];
      assert.ok(refused?.status === 'rejected' && (refused.reason as Error).message === 'unit 7 refuses');
      const seen = await committedElsewhere();
      assert.equal(seen.length, 19);
      assert.ok(!seen.includes('org-07'), 'the failing unit wrote nothing');

      // A lone unit that fails leaves nothing either, and a unit that follows commits.
      await assert.rejects(commits.run(async (tx) => {
        await insert('lone')(tx);
        throw new Error('lone refuses');
      }), /lone refuses/);
      await commits.run(insert('after'));
      const now = await committedElsewhere();
      assert.ok(now.includes('after') && !now.includes('lone'));
    });

    test('a unit that breaks a constraint does not undo the others of its transaction', async () => {
      const { commits } = db.store;
      const results = await Promise.allSettled(
        ['dup-a', 'dup-a', 'dup-b'].map((id) =>
          commits.run((tx) => tx.insertInto('organizations').values({ id, name: id, locale: 'fr', features: '{}', created_at: 1, updated_at: 1 }).execute()),
        ),
      );
      // Which of the two dup-a wins depends on the lanes (PostgreSQL runs several transactions at once).
      assert.deepEqual(results.map((r) => r.status).slice(0, 2).sort(), ['fulfilled', 'rejected']);
      assert.equal(results[2]?.status, 'fulfilled');
      const seen = await committedElsewhere();
      assert.ok(seen.includes('dup-a') && seen.includes('dup-b'));
    });
  });
}
