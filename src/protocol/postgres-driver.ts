/** SqlDriver over a pg Pool: many gateway instances share one PostgreSQL. */
import pg from 'pg';
import type { SqlDriver, SqlQueryable } from './sql-driver.js';

export class PostgresDriver implements SqlDriver {
  private readonly pool: pg.Pool;

  constructor(connectionString: string, poolSize = 10) {
    this.pool = new pg.Pool({ connectionString, max: poolSize });
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
    let broken = false;
    try {
      await client.query(begin);
      const result = await fn({
        query: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // connection is gone; do not return it to the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
