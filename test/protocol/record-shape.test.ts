import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvLine } from '../../src/protocol/export-csv.js';
import { ndjsonLine } from '../../src/protocol/export-json.js';
import { GENESIS_HASH, type ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { chainHash } from '../../src/protocol/record-hash.js';
import { CONTENT_FIELDS, FIELD_LIST, HASHED_FIELDS, RECORD_COLUMNS, RECORD_FIELDS } from '../../src/protocol/record-fields.js';
import { recordToRow, rowToRecord, type RecordRow } from '../../src/protocol/record-row.js';
import { parseNewRecord } from '../../src/protocol/record-schema.js';
import { FIELD_SAMPLES, recordWithEveryField } from './fixtures.js';

const stored = (): ProtocolRecord => ({ ...parseNewRecord(recordWithEveryField()), exportInfo: FIELD_SAMPLES.exportInfo[0] as ProtocolRecord['exportInfo'], purgeInfo: FIELD_SAMPLES.purgeInfo[0] as ProtocolRecord['purgeInfo'], seq: 7, prevHash: GENESIS_HASH, hash: 'h' });

describe('the protocol record\'s shape: every field reaches the hash, the row and the export', () => {
  it('every content field is hashed; of the chain fields only the link', () => {
    expect(CONTENT_FIELDS.every((f) => f.hashed)).toBe(true);
    expect(HASHED_FIELDS.map((f) => f.name).filter((n) => !CONTENT_FIELDS.some((f) => f.name === n))).toEqual(['prevHash']);
    expect(FIELD_LIST.length).toBe(Object.keys(RECORD_FIELDS).length);
  });

  it('a caller may set every field with a caller schema', () => {
    expect(() => parseNewRecord(recordWithEveryField())).not.toThrow();
  });

  for (const f of CONTENT_FIELDS.filter((c) => c.caller !== undefined)) {
    it(`${f.name}: changing it changes the chain hash (tamper-evident)`, () => {
      expect(chainHash(parseNewRecord(recordWithEveryField(f.name)), GENESIS_HASH))
        .not.toBe(chainHash(parseNewRecord(recordWithEveryField()), GENESIS_HASH));
    });
  }

  it('store-written fields are hashed too (exportInfo, purgeInfo), and the link', () => {
    const base = { ...parseNewRecord(recordWithEveryField()), exportInfo: undefined };
    const h = chainHash(base, GENESIS_HASH);
    expect(chainHash({ ...base, exportInfo: FIELD_SAMPLES.exportInfo[0] as ProtocolRecord['exportInfo'] }, GENESIS_HASH)).not.toBe(h);
    expect(chainHash({ ...base, purgeInfo: FIELD_SAMPLES.purgeInfo[0] as ProtocolRecord['purgeInfo'] }, GENESIS_HASH)).not.toBe(h);
    expect(chainHash(base, 'f'.repeat(64))).not.toBe(h);
  });

  it('a row written and read back is the same record, field for field', () => {
    const record = stored();
    const values = recordToRow(record);
    expect(values).toHaveLength(RECORD_COLUMNS.length);
    expect(values.every((v) => v !== null)).toBe(true);
    const row = Object.fromEntries(RECORD_COLUMNS.map((c, i) => [c, values[i]])) as unknown as RecordRow;
    expect(rowToRecord(row)).toEqual(record);
  });

  it('the CSV export has a column for every field and fills each', () => {
    expect([...CSV_COLUMNS]).toEqual(FIELD_LIST.map((f) => f.name));
    const cells = csvLine(stored()).split(',');
    expect(cells.length).toBeGreaterThanOrEqual(CSV_COLUMNS.length);
    expect(csvLine(stored())).not.toMatch(/,,/);
  });

  it('the NDJSON export carries every field', () => {
    const line = JSON.parse(ndjsonLine(stored())) as Record<string, unknown>;
    for (const f of FIELD_LIST) {
      const holder = f.group === 'outcome' ? (line['outcome'] as Record<string, unknown>) : line;
      expect(holder[f.name], f.name).toBeDefined();
    }
  });
});
