/** The little the protocol store needs from a database connection: PGlite, pg and node:sqlite fit. */
import type { SqlDialect } from './sql.js';

export interface SqlQueryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlDriver extends SqlQueryable {
  /** Which SQL the database speaks (ProtocolSql or SqliteProtocolSql). */
  readonly dialect: SqlDialect;
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
