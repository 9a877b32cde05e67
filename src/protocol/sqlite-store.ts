/**
 * The embedded protocol store (default): SQLite through node:sqlite, one file in the data
 * directory, owned by one process (sqlite-driver.ts). The behaviour is SqlProtocolStore's.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SQLITE_FILE } from './embedded-location.js';
import { SqliteDriver } from './sqlite-driver.js';
import { migrated, SqlProtocolStore, type SqlProtocolStoreOptions } from './sql-protocol-store.js';

export class SqliteProtocolStore extends SqlProtocolStore {
  /** Opens (and migrates) the store in `dataDir`, or in memory when `dataDir` is undefined. */
  static async open(options: Omit<SqlProtocolStoreOptions, 'exclusiveWriter'> & { dataDir?: string } = {}): Promise<SqliteProtocolStore> {
    const { dataDir, ...rest } = options;
    let file = ':memory:';
    if (dataDir !== undefined) {
      mkdirSync(dataDir, { recursive: true });
      file = path.join(dataDir, SQLITE_FILE);
    }
    return migrated(new SqliteProtocolStore(SqliteDriver.open(file), rest));
  }
}
