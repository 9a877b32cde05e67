/** SqlDriver over PGlite (PostgreSQL compiled to WebAssembly, in-process, one connection). */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver, SqlQueryable } from './sql-driver.js';

// A protocol needs little cache: 16 MB shared buffers instead of the default 128 MB saves
// ~130 MB of resident memory (measured, bench/pglite-memory.ts); durability is unaffected.
const POSTGRESQL_CONF = ['shared_buffers = 16MB'];

/**
 * initdb in a fresh directory leaves ~600 MB of WASM memory behind that the process never
 * returns (measured: 850 MB vs 306 MB RSS after the first start). Run it in a throwaway thread,
 * whose memory goes with it, and open the initialised directory afterwards.
 */
async function initdbInWorker(dataDir: string): Promise<void> {
  const pglite = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const worker = new Worker(`
    const { workerData } = require('node:worker_threads');
    import(workerData.pglite).then(async ({ PGlite }) => {
      const db = await PGlite.create(workerData.dataDir, { postgresqlconf: workerData.conf });
      await db.close();
    });`, { eval: true, workerData: { pglite, dataDir, conf: POSTGRESQL_CONF } });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`PGlite initdb ended with ${code}`))));
  });
}

export class PGliteDriver implements SqlDriver {
  readonly dialect = 'postgresql';
  private constructor(private readonly db: PGlite) {}

  /** `dataDir` undefined: in memory (tests). Otherwise the directory, created if missing. */
  static async open(dataDir?: string): Promise<PGliteDriver> {
    if (dataDir !== undefined) {
      await mkdir(dataDir, { recursive: true });
      if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initdbInWorker(dataDir);
    }
    const db = await PGlite.create(dataDir, { postgresqlconf: POSTGRESQL_CONF });
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
