/**
 * Picks the store: PostgreSQL when a DATABASE_URL is configured, else the embedded SQLite store
 * — or PGlite for a directory PGlite made that has not been migrated yet (with a warning).
 * The PostgreSQL and PGlite modules are loaded only when they are picked.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { DEFAULT_PROTOCOL_DATA_DIR, IN_MEMORY, isPgliteDataDir, SQLITE_FILE } from './embedded-location.js';
import type { ProtocolStore } from './protocol-store.js';
import { SqliteProtocolStore } from './sqlite-store.js';
import type { SqlProtocolStoreOptions } from './sql-protocol-store.js';

export interface ProtocolStoreConfig extends SqlProtocolStoreOptions {
  databaseUrl?: string;
  /** Embedded store directory (default `.data/protocol`; `memory://` for tests). */
  dataDir?: string;
}

export async function createProtocolStore(config: ProtocolStoreConfig = {}): Promise<ProtocolStore> {
  const { databaseUrl, dataDir = DEFAULT_PROTOCOL_DATA_DIR, exclusiveWriter: _pgliteOnly, ...options } = config;
  if (databaseUrl) return (await import('./postgres-store.js')).PostgresProtocolStore.open({ ...options, connectionString: databaseUrl });
  if (dataDir === IN_MEMORY) return SqliteProtocolStore.open(options);
  if (isPgliteDataDir(dataDir) && !existsSync(path.join(dataDir, SQLITE_FILE))) {
    process.emitWarning(
      `the protocol in ${dataDir} is still a PGlite store; it keeps working, but move it to SQLite ` +
        '(smaller, faster start) with `xmeld-gateway protocol migrate-embedded` while the gateway is stopped',
      { code: 'XMELD_PROTOCOL_PGLITE' },
    );
    return (await import('./pglite-store.js')).PGliteProtocolStore.open({ ...options, dataDir });
  }
  return SqliteProtocolStore.open({ ...options, dataDir });
}
