/**
 * Where SQLite's dialect differs from ProtocolSql's PostgreSQL: no arrays (array parameters
 * arrive as JSON text and are read with json_each), no row locks (BEGIN IMMEDIATE takes the
 * database's write lock for the whole transaction), no schemas but `main`.
 */
import { ProtocolSql, type SqlDialect } from './sql.js';

export class SqliteProtocolSql extends ProtocolSql {
  override readonly dialect: SqlDialect = 'sqlite';
  /**
   * One row per INSERT: node:sqlite binds a wide statement's parameters in time growing with
   * their number (measured, 3,000 rows of 30 columns: 26 ms one row per statement, 2.2 s
   * 500 rows per statement), and a prepared single-row insert costs ≈ 9 µs a row.
   */
  override readonly insertChunk: number = 1;

  constructor(schema = 'main') {
    if (schema !== 'main') throw new Error(`the SQLite protocol store has no schema but main (got ${schema})`);
    super(schema);
  }

  override anyOf(column: string, n: number): string {
    return `${column} IN (SELECT value FROM json_each($${n}))`;
  }

  /** The transaction itself (BEGIN IMMEDIATE) already keeps other migrators out. */
  override get migrationPrelude(): [string, unknown[]][] {
    return [];
  }

  override get createMigrations(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.migrations} (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ'))) STRICT`;
  }

  override get lockHead(): string {
    return `SELECT seq, hash FROM ${this.heads} WHERE partition = $1`;
  }

  override get createHeads(): string {
    // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not a join.
    return `INSERT INTO ${this.heads} (partition, seq, hash) SELECT value, 0, $2 FROM json_each($1) WHERE true ON CONFLICT (partition) DO NOTHING`;
  }

  /** SQLite has no data-modifying CTE; its store appends in one short transaction instead. */
  override insertRecordsMovingHeads(): string {
    throw new Error('insertRecordsMovingHeads is PostgreSQL only: open the SQLite store without exclusiveWriter');
  }
}
