// What each database backend can do. Backend differences are data, not `if (dialect === …)`.

export interface Capabilities {
  readonly dialect: 'sqlite' | 'postgres';
  /** `FOR UPDATE SKIP LOCKED` lets several dispatchers claim disjoint rows concurrently. */
  readonly skipLocked: boolean;
  /** LISTEN/NOTIFY wakes dispatchers in other processes when work is accepted. */
  readonly listenNotify: boolean;
  /** Column type for auto-incrementing integer keys. */
  readonly serialType: 'integer' | 'serial';
  /**
   * Several processes (API instances behind a load balancer) may share this database, so
   * limits that must hold across them (sign-in attempts, flight checks) are counted in it.
   * Embedded SQLite serves one process: those limits are counted in its memory.
   */
  readonly sharedAcrossProcesses: boolean;
  /**
   * Group-commit transactions open at once: SQLite has one connection (one writer); PostgreSQL
   * keeps the rest of its pool for reads and the dispatcher's claims.
   */
  readonly commitLanes: number;
  /**
   * `INDEXED BY` names the index a query must use. SQLite's planner, without statistics,
   * prefers a broad index over the partial one a claim needs (seconds instead of microseconds
   * with 100,000 messages queued); PostgreSQL's picks the partial index by itself.
   */
  readonly indexedBy: boolean;
}

export const SQLITE: Capabilities = { dialect: 'sqlite', skipLocked: false, listenNotify: false, serialType: 'integer', sharedAcrossProcesses: false, commitLanes: 1, indexedBy: true };
export const POSTGRES: Capabilities = { dialect: 'postgres', skipLocked: true, listenNotify: true, serialType: 'serial', sharedAcrossProcesses: true, commitLanes: 4, indexedBy: false };
