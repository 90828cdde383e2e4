// Group commit: units of work that arrive while a commit is under way share the next
// transaction, and so one commit and one fsync. Each unit runs inside its own savepoint, so one
// that fails is rolled back alone and the others still commit. A unit's promise settles only
// once its transaction committed (durably: SQLite synchronous=FULL, PostgreSQL
// synchronous_commit) — what it returns is as committed as if it had had its own transaction.
import { sql } from 'kysely';
import type { Db, Tx } from './store.ts';

type Work<T> = (tx: Tx) => Promise<T>;

interface Unit {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private queue: Unit[] = [];
  private open = 0;

  /**
   * @param lanes transactions open at once (1 for SQLite's single connection; a few for
   *   PostgreSQL, whose pool also serves reads and the dispatcher)
   * @param maxUnits units in one transaction at most
   */
  constructor(
    private readonly db: Db,
    private readonly lanes: number,
    private readonly maxUnits = 128,
  ) {}

  /** Runs `work` in a transaction shared with the units that arrive meanwhile; resolves after the commit. */
  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.open < this.lanes && this.queue.length > 0) {
      const units = this.queue.splice(0, this.maxUnits);
      this.open += 1;
      void this.commit(units).finally(() => {
        this.open -= 1;
        this.pump();
      });
    }
  }

  private async commit(units: Unit[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      await this.db.transaction().execute(async (tx) => {
        // Alone, a unit needs no savepoint: its failure rolls back its own transaction.
        if (units.length === 1) {
          outcomes.push({ ok: true, value: await units[0]!.work(tx) });
          return;
        }
        for (const unit of units) outcomes.push(await inSavepoint(tx, unit.work));
      });
    } catch (error) {
      // The commit failed (or the lone unit did): nothing of this transaction was written.
      for (const unit of units) unit.reject(error);
      return;
    }
    units.forEach((unit, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
  }
}

async function inSavepoint(tx: Tx, work: Work<unknown>): Promise<Outcome> {
  await sql`savepoint relais_unit`.execute(tx);
  try {
    const value = await work(tx);
    await sql`release savepoint relais_unit`.execute(tx);
    return { ok: true, value };
  } catch (error) {
    // If the savepoint cannot be rolled back (the connection is gone, or SQLite already rolled
    // the whole transaction back on a full disk), the transaction fails with the unit's error.
    const rollBack = async () => {
      await sql`rollback to savepoint relais_unit`.execute(tx);
      await sql`release savepoint relais_unit`.execute(tx);
    };
    await rollBack().catch(() => {
      throw error;
    });
    return { ok: false, error };
  }
}
