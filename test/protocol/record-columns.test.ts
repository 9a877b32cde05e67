/**
 * The field table's columns are exactly the migrated schema's, with the same types and NOT NULL
 * where a field is required: the migrations write their columns out (history), the table derives
 * everything else, and this keeps the two from drifting apart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PGliteDriver } from '../../src/protocol/pglite-driver.js';
import { FIELD_LIST } from '../../src/protocol/record-fields.js';
import { SqlProtocolStore } from '../../src/protocol/sql-protocol-store.js';
import { SqliteDriver } from '../../src/protocol/sqlite-driver.js';

const expected = (dialect: 'postgresql' | 'sqlite') =>
  FIELD_LIST.map((f) => ({ column: f.column, type: f.encoding.sqlType[dialect], notNull: f.presence === 'required' }))
    .sort((a, b) => a.column.localeCompare(b.column));

describe('the field table matches the migrated schema', () => {
  let pglite: PGliteDriver | undefined;
  afterAll(async () => {
    await pglite?.close();
  });

  it('SQLite', async () => {
    const driver = SqliteDriver.open(':memory:');
    try {
      await new SqlProtocolStore(driver).migrate();
      const columns = await driver.query<{ name: string; type: string; notnull: number }>("SELECT name, type, \"notnull\" FROM pragma_table_info('protocol_record')");
      expect(columns.map((c) => ({ column: c.name, type: c.type, notNull: c.notnull === 1 })).sort((a, b) => a.column.localeCompare(b.column)))
        .toEqual(expected('sqlite'));
    } finally {
      await driver.close();
    }
  });

  it('PostgreSQL (PGlite in memory)', async () => {
    pglite = await PGliteDriver.open();
    await new SqlProtocolStore(pglite, { schema: 'columns_check' }).migrate();
    const columns = await pglite.query<{ column_name: string; udt_name: string; is_nullable: string }>(
      "SELECT column_name, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'columns_check' AND table_name = 'protocol_record'");
    expect(columns.map((c) => ({ column: c.column_name, type: c.udt_name, notNull: c.is_nullable === 'NO' })).sort((a, b) => a.column.localeCompare(b.column)))
      .toEqual(expected('postgresql'));
  });
});
