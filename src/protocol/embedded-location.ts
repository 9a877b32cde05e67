/** Where the embedded protocol store lives, and how an old PGlite directory is told apart. */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const DEFAULT_PROTOCOL_DATA_DIR = '.data/protocol';
/** Pass as dataDir for a store that lives in memory only (tests). */
export const IN_MEMORY = 'memory://';
/** The SQLite store's file inside its data directory. */
export const SQLITE_FILE = 'protocol.sqlite';

/** A directory PGlite (the embedded store before SQLite) initialised: PostgreSQL's marker file. */
export function isPgliteDataDir(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}
