// What each database backend can do. Backend differences are data, not `if (dialect === …)`.

export interface Capabilities {
  readonly dialect: 'sqlite' | 'postgres';
  /** `FOR UPDATE SKIP LOCKED` lets several dispatchers claim disjoint rows concurrently. */
  readonly skipLocked: boolean;
  /** LISTEN/NOTIFY wakes dispatchers in other processes when work is accepted. */
  readonly listenNotify: boolean;
  /** Column type for auto-incrementing integer keys. */
  readonly serialType: 'integer' | 'serial';
}

export const SQLITE: Capabilities = { dialect: 'sqlite', skipLocked: false, listenNotify: false, serialType: 'integer' };
export const POSTGRES: Capabilities = { dialect: 'postgres', skipLocked: true, listenNotify: true, serialType: 'serial' };
