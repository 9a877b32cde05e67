/** SqlDriver over PGlite (PostgreSQL compiled to WebAssembly, in-process, one connection). */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver, SqlQueryable } from './sql-driver.js';

export class PGliteDriver implements SqlDriver {
  private constructor(private readonly db: PGlite) {}

  /** `dataDir` undefined: in memory (tests). Otherwise the directory, created if missing. */
  static async open(dataDir?: string): Promise<PGliteDriver> {
    if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
    // A protocol needs little cache: 16 MB shared buffers instead of the default 128 MB saves
    // ~130 MB of resident memory (measured, bench/pglite-memory.ts); durability is unaffected.
    const db = await PGlite.create(dataDir, { postgresqlconf: ['shared_buffers = 16MB'] });
    return new PGliteDriver(db);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      fn({ query: async <R>(sql: string, params: unknown[] = []) => (await tx.query<R>(sql, params)).rows }),
    );
  }

  readSnapshot<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T> {
    return fn(this);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
