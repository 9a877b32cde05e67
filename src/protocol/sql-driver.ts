/** The little the protocol store needs from a PostgreSQL connection: PGlite and pg both fit. */
export interface SqlQueryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlDriver extends SqlQueryable {
  /** Runs fn in a transaction (READ COMMITTED); commits on return, rolls back on throw. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Runs a long read with a consistent view where that costs writers nothing (PostgreSQL:
   * REPEATABLE READ READ ONLY). PGlite has one connection, so there it runs without a
   * transaction rather than block every append for the duration.
   */
  readSnapshot<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
