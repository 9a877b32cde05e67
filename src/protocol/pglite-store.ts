/**
 * The embedded protocol store (default): PGlite in-process, data in a local directory.
 * One process owns the directory; CLI commands on it run while the gateway is stopped.
 */
import { PGliteDriver } from './pglite-driver.js';
import { SqlProtocolStore, type SqlProtocolStoreOptions } from './sql-protocol-store.js';

export const DEFAULT_PROTOCOL_DATA_DIR = '.data/protocol';
/** Pass as dataDir for a store that lives in memory only (tests). */
export const IN_MEMORY = 'memory://';

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
