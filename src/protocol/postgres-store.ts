/** The shared protocol store: PostgreSQL, written by any number of gateway instances. */
import { PostgresDriver } from './postgres-driver.js';
import { migrated, SqlProtocolStore, type SqlProtocolStoreOptions } from './sql-protocol-store.js';

export class PostgresProtocolStore extends SqlProtocolStore {
  /** Connects (pg Pool) and migrates. */
  static async open(
    options: SqlProtocolStoreOptions & { connectionString: string; poolSize?: number },
  ): Promise<PostgresProtocolStore> {
    const driver = new PostgresDriver(options.connectionString, options.poolSize);
    return migrated(new PostgresProtocolStore(driver, options));
  }
}
