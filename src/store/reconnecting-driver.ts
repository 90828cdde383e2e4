// Queries that meet a dropped PostgreSQL connection (restart, failover, terminated backend) are
// run again on a fresh connection when that is safe: outside a transaction, for a read or a
// statement marked retry-safe. Done once here, under Kysely, instead of at every call site.
import { setTimeout as delay } from 'node:timers/promises';
import {
  sql,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { classifyDatabaseError } from './database-faults.ts';

const RETRY_SAFE_MARK = '/* relais:retry-safe */';

/**
 * Marks a write that may run twice with the same effect (the claim, a lease renewal): added
 * with `.modifyEnd(RETRY_SAFE)`, it lets the statement be retried on a fresh connection.
 */
export const RETRY_SAFE = sql.raw(RETRY_SAFE_MARK);

/** Waits before each new try: the first on a fresh connection at once, then a short backoff (about 0.7 s in all). */
export const RECONNECT_DELAYS_MS: readonly number[] = [0, 100, 200, 400];

/** A statement that may run again after its connection dropped: a read, or a write marked retry-safe. */
export function isRetrySafe(query: CompiledQuery): boolean {
  return query.query.kind === 'SelectQueryNode' || query.sql.trimEnd().endsWith(RETRY_SAFE_MARK);
}

const isConnectionFault = (error: unknown) => classifyDatabaseError(error) === 'connection';

export interface ReconnectOptions {
  /** Told of each dropped connection that is retried (the fault tracker logs and counts it). */
  readonly onRetry?: (error: unknown) => void;
  readonly delaysMs?: readonly number[];
}

/** The dialect with its driver wrapped in a {@link ReconnectingDriver}. */
export function reconnectingDialect(dialect: Dialect, options: ReconnectOptions = {}): Dialect {
  return {
    createDriver: () => new ReconnectingDriver(dialect.createDriver(), options),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db: Kysely<unknown>) => dialect.createIntrospector(db),
  };
}

/**
 * A connection that holds the inner driver's connection only while a query or a transaction
 * needs it. On a dropped connection it gives the broken one back to the pool *before* taking a
 * fresh one, so a retry never waits for a pool slot its own request holds; inside a
 * transaction it never retries (the statements before it died with the old connection).
 */
class ReconnectingConnection implements DatabaseConnection {
  inner: DatabaseConnection | undefined;
  inTransaction = false;

  constructor(private readonly driver: ReconnectingDriver) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.run((inner) => inner.executeQuery<R>(query), isRetrySafe(query));
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const inner = await this.run(async (c) => c, true);
    yield* inner.streamQuery<R>(query, chunkSize);
  }

  /** Runs `work` on the inner connection, on a fresh one after a dropped connection when `safe`. */
  async run<T>(work: (inner: DatabaseConnection) => Promise<T>, safe: boolean): Promise<T> {
    const delays = this.driver.delaysMs;
    for (let tries = 0; ; tries += 1) {
      try {
        this.inner ??= await this.driver.inner.acquireConnection();
        return await work(this.inner);
      } catch (error) {
        // Taking a connection never ran anything: it may always be tried again.
        const retry = (safe || this.inner === undefined) && !this.inTransaction && tries < delays.length && !this.driver.destroyed && isConnectionFault(error);
        if (!retry) throw error;
        this.driver.onRetry(error);
        await this.giveBack();
        await delay(delays[tries]);
      }
    }
  }

  /** Returns the inner connection to the pool (a dropped one is discarded there). */
  async giveBack(): Promise<void> {
    const inner = this.inner;
    this.inner = undefined;
    if (inner) await this.driver.inner.releaseConnection(inner);
  }
}

export class ReconnectingDriver implements Driver {
  destroyed = false;
  readonly delaysMs: readonly number[];
  readonly onRetry: (error: unknown) => void;

  constructor(
    readonly inner: Driver,
    options: ReconnectOptions = {},
  ) {
    this.delaysMs = options.delaysMs ?? RECONNECT_DELAYS_MS;
    this.onRetry = options.onRetry ?? (() => {});
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  /** The pool's connection is taken by the first statement (see {@link ReconnectingConnection.run}). */
  async acquireConnection(): Promise<DatabaseConnection> {
    return new ReconnectingConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as ReconnectingConnection;
    // BEGIN on a dropped connection changed nothing: it is tried again on a fresh one.
    await c.run((inner) => this.inner.beginTransaction(inner, settings), true);
    c.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.endTransaction(connection, (inner) => this.inner.commitTransaction(inner));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.endTransaction(connection, (inner) => this.inner.rollbackTransaction(inner));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.inTransaction(connection, (inner) => this.inner.savepoint!(inner, name, compile));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.inTransaction(connection, (inner) => this.inner.rollbackToSavepoint!(inner, name, compile));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.inTransaction(connection, (inner) => this.inner.releaseSavepoint!(inner, name, compile));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as ReconnectingConnection;
    c.inTransaction = false;
    await c.giveBack();
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    await this.inner.destroy();
  }

  private async inTransaction(connection: DatabaseConnection, work: (inner: DatabaseConnection) => Promise<void>): Promise<void> {
    const { inner } = connection as ReconnectingConnection;
    if (!inner) throw new Error('no transaction is open on this connection');
    await work(inner);
  }

  private async endTransaction(connection: DatabaseConnection, work: (inner: DatabaseConnection) => Promise<void>): Promise<void> {
    try {
      await this.inTransaction(connection, work);
    } finally {
      (connection as ReconnectingConnection).inTransaction = false;
    }
  }
}
