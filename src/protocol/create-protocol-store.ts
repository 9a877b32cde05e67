/** Picks the store: PostgreSQL when a DATABASE_URL is configured, else the embedded PGlite store. */
import { PGliteProtocolStore } from './pglite-store.js';
import { PostgresProtocolStore } from './postgres-store.js';
import type { ProtocolStore } from './protocol-store.js';
import type { SqlProtocolStoreOptions } from './sql-protocol-store.js';

export interface ProtocolStoreConfig extends SqlProtocolStoreOptions {
  databaseUrl?: string;
  /** Embedded store directory (default `.data/protocol`; `memory://` for tests). */
  dataDir?: string;
}

export async function createProtocolStore(config: ProtocolStoreConfig = {}): Promise<ProtocolStore> {
  const { databaseUrl, dataDir, ...options } = config;
  if (databaseUrl) return PostgresProtocolStore.open({ ...options, connectionString: databaseUrl });
  return PGliteProtocolStore.open(dataDir === undefined ? options : { ...options, dataDir });
}
