/** SqlDriver over a pg Pool: many gateway instances share one PostgreSQL. */
import pg from 'pg';
import type { SqlDriver, SqlQueryable } from './sql-driver.js';

export interface PostgresDriverOptions {
  poolSize?: number;
  /** Longest wait for a connection (pool checkout or connect), in ms. */
  connectTimeoutMs?: number;
  /** Longest any one statement may take, client- and server-side, in ms. */
  statementTimeoutMs?: number;
}

/** Bounds that keep a frozen or restarting server from holding a caller past its deadline. */
const DEFAULTS: Required<Omit<PostgresDriverOptions, 'poolSize'>> = { connectTimeoutMs: 5_000, statementTimeoutMs: 10_000 };

export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgresql';
  private readonly pool: pg.Pool;

  constructor(connectionString: string, poolSizeOrOptions: number | PostgresDriverOptions = {}) {
    const o = typeof poolSizeOrOptions === 'number' ? { poolSize: poolSizeOrOptions } : poolSizeOrOptions;
    const statementTimeoutMs = o.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs;
    this.pool = new pg.Pool({
      connectionString,
      max: o.poolSize ?? 10,
      connectionTimeoutMillis: o.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      // The client gives up on its own (a frozen server never answers); the server aborts too.
      query_timeout: statementTimeoutMs,
      statement_timeout: statementTimeoutMs,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN', fn);
  }

  readSnapshot<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async inTransaction<T>(begin: string, fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client is not covered by the pool's listener: a server restart between two
    // statements emits 'error' on the client, which would otherwise end the process. The
    // statement in flight (or the next one) rejects, and the client is not reused.
    let broken = false;
    const onError = (): void => { broken = true; };
    client.on('error', onError);
    try {
      await client.query(begin);
      const result = await fn({
        query: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!broken) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // connection is gone; do not return it to the pool
        }
      }
      throw err;
    } finally {
      // A broken client keeps the listener: it may still report errors while it is destroyed.
      if (!broken) client.off('error', onError);
      client.release(broken);
    }
  }
}
