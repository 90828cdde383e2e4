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
}

export const SQLITE: Capabilities = { dialect: 'sqlite', skipLocked: false, listenNotify: false, serialType: 'integer', sharedAcrossProcesses: false };
export const POSTGRES: Capabilities = { dialect: 'postgres', skipLocked: true, listenNotify: true, serialType: 'serial', sharedAcrossProcesses: true };
