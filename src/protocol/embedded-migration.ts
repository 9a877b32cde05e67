/**
 * `protocol migrate-embedded`: moves a PGlite data directory to the SQLite store, record for
 * record. Rows are copied column by column (seq, prev_hash, hash included), never rebuilt from
 * the record model, so the chains are the same bytes and `protocol verify` says the same
 * afterwards. The copy is built beside the directory and checked — both stores' verify reports
 * must be identical, heads and counts included — before the directories are swapped; the
 * PGlite directory is kept beside it as a backup. Run it while the gateway is stopped.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isPgliteDataDir, SQLITE_FILE } from './embedded-location.js';
import { PGliteDriver } from './pglite-driver.js';
import type { VerifyReport } from './protocol-store.js';
import { RECORD_COLUMNS } from './record-fields.js';
import { ProtocolSql } from './sql.js';
import type { SqlDriver } from './sql-driver.js';
import { SqliteDriver } from './sqlite-driver.js';
import { SqliteProtocolSql } from './sqlite-sql.js';
import { SqlProtocolStore } from './sql-protocol-store.js';

export class EmbeddedMigrationError extends Error {
  override readonly name = 'EmbeddedMigrationError';
}

export interface EmbeddedMigrationReport {
  dataDir: string;
  /** Where the PGlite directory was moved. */
  backup: string;
  records: number;
  /** The verify report, the same before and after. */
  verify: VerifyReport;
}

const PAGE = 2_000;

type Row = Record<string, unknown>;

export async function migrateEmbeddedStore(dataDir: string, now: Date = new Date()): Promise<EmbeddedMigrationReport> {
  if (!isPgliteDataDir(dataDir)) throw new EmbeddedMigrationError(`${dataDir} is not a PGlite protocol directory (no PG_VERSION)`);
  if (existsSync(path.join(dataDir, SQLITE_FILE))) throw new EmbeddedMigrationError(`${dataDir} already holds ${SQLITE_FILE}`);
  const staging = `${dataDir}.migrating`;
  const backup = `${dataDir}.pglite-${now.toISOString().replace(/[:.]/g, '-')}`;
  await rm(staging, { recursive: true, force: true }); // what a crashed earlier run left

  const source = await PGliteDriver.open(dataDir);
  let target: SqliteDriver | undefined;
  try {
    const from = new SqlProtocolStore(source, { exclusiveWriter: true });
    await from.migrate(); // brings an older PGlite schema to the columns copied (NULL columns: hashes unchanged)
    await mkdir(staging, { recursive: true });
    target = SqliteDriver.open(path.join(staging, SQLITE_FILE));
    const to = new SqlProtocolStore(target);
    await to.migrate();
    const records = await copy(source, target);
    const [before, after] = [await from.verify(), await to.verify()];
    if (!isDeepStrictEqual(before, after)) {
      throw new EmbeddedMigrationError('the copy does not verify like the original; nothing was changed');
    }
    await target.close();
    await source.close();
    await rename(dataDir, backup);
    await rename(staging, dataDir);
    return { dataDir, backup, records, verify: after };
  } catch (err) {
    await target?.close().catch(() => undefined);
    await source.close().catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Heads and records in (partition, seq) order, a page at a time, in one SQLite transaction. */
async function copy(source: SqlDriver, target: SqlDriver): Promise<number> {
  const pg = new ProtocolSql();
  const sqlite = new SqliteProtocolSql();
  return target.transaction(async (tx) => {
    for (const h of await source.query<Row>(`SELECT partition, seq, hash FROM ${pg.heads}`)) {
      await tx.query(`INSERT INTO ${sqlite.heads} (partition, seq, hash) VALUES ($1, $2, $3)`, [h['partition'], h['seq'], h['hash']]);
    }
    let copied = 0;
    let after: [unknown, unknown] = ['', -1];
    for (;;) {
      const rows = await source.query<Row>(
        `SELECT * FROM ${pg.records} WHERE (partition, seq) > ($1, $2) ORDER BY partition, seq LIMIT $3`,
        [...after, PAGE],
      );
      for (let i = 0; i < rows.length; i += sqlite.insertChunk) {
        const chunk = rows.slice(i, i + sqlite.insertChunk);
        await tx.query(sqlite.insertRecords(chunk.length), chunk.flatMap((r) => RECORD_COLUMNS.map((c) => r[c])));
      }
      copied += rows.length;
      const last = rows.at(-1);
      if (last === undefined || rows.length < PAGE) return copied;
      after = [last['partition'], last['seq']];
    }
  });
}
