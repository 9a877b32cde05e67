/**
 * The SQL of the protocol store in PostgreSQL's dialect (PostgreSQL and PGlite). Tables live in a
 * configurable schema so tests and deployments can keep several stores in one database. The few
 * statements SQLite words differently are overridden in sqlite-sql.ts; everything else is shared.
 */

import { RECORD_COLUMNS } from './record-fields.js';

export type SqlDialect = 'postgresql' | 'sqlite';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Statement parameters per multi-row INSERT stay far below PostgreSQL's 65535. */
export const INSERT_CHUNK = 500;

export class ProtocolSql {
  readonly dialect: SqlDialect = 'postgresql';
  /** Rows per INSERT statement. */
  readonly insertChunk: number = INSERT_CHUNK;
  readonly schema: string;
  readonly records: string;
  readonly heads: string;
  readonly migrations: string;

  constructor(schema = 'public') {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name: ${schema}`);
    this.schema = schema;
    this.records = `"${schema}".protocol_record`;
    this.heads = `"${schema}".protocol_head`;
    this.migrations = `"${schema}".protocol_migration`;
  }

  insertRecords(rowCount: number): string {
    const width = RECORD_COLUMNS.length;
    const rows: string[] = [];
    for (let r = 0; r < rowCount; r++) {
      const params = RECORD_COLUMNS.map((_, c) => `$${r * width + c + 1}`);
      rows.push(`(${params.join(',')})`);
    }
    return `INSERT INTO ${this.records} (${RECORD_COLUMNS.join(',')}) VALUES ${rows.join(',')}`;
  }

  /** `column` equals one of the values in the array parameter `$n`. */
  anyOf(column: string, n: number, type: 'text' | 'bigint' = 'text'): string {
    return `${column} = ANY($${n}::${type}[])`;
  }

  /** Statements run first in the migration transaction: one migrator per schema at a time. */
  get migrationPrelude(): [string, unknown[]][] {
    return [
      ['SELECT pg_advisory_xact_lock(hashtext($1))', [`xmeld-protocol-migrate:${this.schema}`]],
      [`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`, []],
    ];
  }

  get createMigrations(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.migrations} (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
  }

  get lockHead(): string {
    return `SELECT seq, hash FROM ${this.heads} WHERE partition = $1 FOR UPDATE`;
  }

  get createHead(): string {
    return `INSERT INTO ${this.heads} (partition, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (partition) DO NOTHING`;
  }

  /** Heads without locking them: for a store that is the only writer of its database. */
  get readHeads(): string {
    return `SELECT partition, seq, hash FROM ${this.heads} WHERE ${this.anyOf('partition', 1)}`;
  }

  get createHeads(): string {
    return `INSERT INTO ${this.heads} (partition, seq, hash) SELECT p, 0, $2 FROM unnest($1::text[]) AS p ON CONFLICT (partition) DO NOTHING`;
  }

  /**
   * Records inserted and their heads moved in one statement (atomic on its own). Only for the
   * only writer of a database, which knows the heads; a stale head collides on the primary key.
   */
  insertRecordsMovingHeads(rowCount: number): string {
    const n = rowCount * RECORD_COLUMNS.length;
    return `WITH inserted AS (${this.insertRecords(rowCount)}) UPDATE ${this.heads} AS h SET seq = m.seq, hash = m.hash`
      + ` FROM unnest($${n + 1}::text[], $${n + 2}::bigint[], $${n + 3}::text[]) AS m(partition, seq, hash)`
      + ' WHERE h.partition = m.partition';
  }

  get updateHead(): string {
    return `UPDATE ${this.heads} SET seq = $2, hash = $3 WHERE partition = $1`;
  }

  get readHead(): string {
    return `SELECT seq, hash FROM ${this.heads} WHERE partition = $1`;
  }

  /**
   * Trails received in [$1, $2) that have none of `delivered`, `delivery-failed`, `aborted`: the first record of
   * each, whose query data the closing record repeats.
   */
  get openTrails(): string {
    return `SELECT * FROM ${this.records} r
      WHERE r.hop = 'received' AND r.at >= $1 AND r.at < $2
        AND NOT EXISTS (SELECT 1 FROM ${this.records} e
          WHERE e.partition = r.partition AND e.vorgangsnummer = r.vorgangsnummer AND e.hop IN ('delivered', 'delivery-failed', 'aborted'))
      ORDER BY r.at, r.seq LIMIT $3`;
  }

  /** nachrichtenUUIDs received at or after $1, over all partitions (the replay window on restart). */
  get receivedSince(): string {
    return `SELECT DISTINCT nachrichten_uuid FROM ${this.records}
      WHERE hop = 'received' AND at >= $1 AND nachrichten_uuid IS NOT NULL`;
  }

  get allPartitions(): string {
    return `SELECT partition FROM ${this.heads} ORDER BY partition`;
  }

  get maxSeq(): string {
    return `SELECT max(seq) AS max FROM ${this.records} WHERE partition = $1`;
  }

  get knownPartitions(): string {
    return `SELECT partition FROM ${this.heads} UNION SELECT DISTINCT partition FROM ${this.records} ORDER BY partition`;
  }

  get latestPurgeInfo(): string {
    return `SELECT purge_info FROM ${this.records} WHERE partition = $1 AND hop = 'purged' ORDER BY seq DESC LIMIT 1`;
  }

  /** One page of a partition in seq order, for verify. */
  get chainPage(): string {
    return `SELECT * FROM ${this.records} WHERE partition = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`;
  }

  /** Runs of consecutive seqs that fall before the cutoff (gaps-and-islands). */
  get purgeIslands(): string {
    return `SELECT min(seq) AS from_seq, max(seq) AS to_seq, count(*) AS n, min(at) AS min_at, max(at) AS max_at
      FROM (SELECT seq, at, seq - row_number() OVER (ORDER BY seq) AS grp
            FROM ${this.records} WHERE partition = $1 AND at < $2) s
      GROUP BY grp ORDER BY from_seq`;
  }

  get hashesOf(): string {
    return `SELECT seq, hash FROM ${this.records} WHERE partition = $1 AND ${this.anyOf('seq', 2, 'bigint')}`;
  }

  get deleteBefore(): string {
    return `DELETE FROM ${this.records} WHERE partition = $1 AND at < $2`;
  }

  /**
   * A page of an export: the filter's conditions plus the keyset (at, seq) of the last row sent.
   * Conditions are built from a fixed list; values are always parameters.
   */
  exportPage(conditions: string[], limitParam: number): string {
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    return `SELECT * FROM ${this.records} ${where} ORDER BY at, seq LIMIT $${limitParam}`;
  }
}
