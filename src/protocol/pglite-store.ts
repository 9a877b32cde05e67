/**
 * The embedded protocol store before SQLite: PGlite in-process, data in a local directory. Still
 * opened for a directory PGlite made until `protocol migrate-embedded` has moved it to SQLite
 * (embedded-migration.ts), and the migration's source. One process owns the directory; CLI
 * commands on it run while the gateway is stopped.
 */
import { DEFAULT_PROTOCOL_DATA_DIR, IN_MEMORY } from './embedded-location.js';
import { PGliteDriver } from './pglite-driver.js';
import { SqlProtocolStore, type SqlProtocolStoreOptions } from './sql-protocol-store.js';

export { DEFAULT_PROTOCOL_DATA_DIR, IN_MEMORY };

export class PGliteProtocolStore extends SqlProtocolStore {
  /** Opens (and migrates) the store in `dataDir`. */
  static async open(
    options: SqlProtocolStoreOptions & { dataDir?: string } = {},
  ): Promise<PGliteProtocolStore> {
    const dataDir = options.dataDir ?? DEFAULT_PROTOCOL_DATA_DIR;
    const driver = await PGliteDriver.open(dataDir === IN_MEMORY ? undefined : dataDir);
    // One process owns the directory: the store is its only writer.
    const store = new PGliteProtocolStore(driver, { ...options, exclusiveWriter: true });
    await store.migrate();
    return store;
  }
}
