import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../src/protocol/export-csv.js';
import { GENESIS_HASH, type NewProtocolRecord, type ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { chainHash } from '../../src/protocol/record-hash.js';
import { recordToRow, rowToRecord, type RecordRow } from '../../src/protocol/record-row.js';
import { RECORD_FIELDS, parseNewRecord, type RecordField } from '../../src/protocol/record-schema.js';
import { RECORD_COLUMNS } from '../../src/protocol/sql.js';

/** One value for every field a record may have, and another to change it to. */
const VALUES: Record<RecordField, [unknown, unknown]> = {
  vorgangsnummer: ['VG-1', 'VG-2'],
  hop: ['routed', 'dispatched'],
  at: [new Date('2026-12-03T10:00:00.000Z'), new Date('2026-12-03T10:00:00.001Z')],
  messageType: ['1330', '1332'],
  nachrichtenUUID: ['2f4f4a52-6c43-4a39-9d55-1d2b7e8f0a11', '2f4f4a52-6c43-4a39-9d55-1d2b7e8f0a12'],
  autorKennung: ['dbs:030000010000', 'dbs:030000010001'],
  abrufberechtigteStelle: ['Polizeidirektion', 'Polizeidirektion Süd'],
  aktenzeichen: ['AZ-1', 'AZ-2'],
  anlassDesAbrufs: ['Gefahrenabwehr', 'Strafverfolgung'],
  kennung: ['sb:1', 'sb:2'],
  sicherheitsbehoerde: [true, false],
  suchprofil: [{ familienname: 'Muster' }, { familienname: 'Mustre' }],
  anforderungselemente: [['1', '2'], ['1', '3']],
  target: ['land:09', 'land:08'],
  xmeldRelease: ['26.11', '25.11a'],
  translatedFrom: ['25.11a', '26.11'],
  endpoint: ['https://register.example/09', 'https://register.example/08'],
  endpointSource: ['dvdv', 'config'],
  outcome: [{ ergebnisstatus: '01', personCount: 1 }, { ergebnisstatus: '01', personCount: 2 }],
  partition: ['operator', 'authority:dbs:1'],
  operatorEvent: [{ action: 'suspend', actor: 'operator:a', changes: ['authority x suspended'] }, { action: 'unsuspend', actor: 'operator:a', changes: ['authority x suspended'] }],
};

const full = (): NewProtocolRecord & { partition: string } =>
  Object.fromEntries(RECORD_FIELDS.map((f) => [f, VALUES[f][0]])) as unknown as NewProtocolRecord & { partition: string };

describe('the protocol record\'s shape: every field reaches the hash, the row and the export', () => {
  it('the test knows every field of the record schema', () => {
    expect(Object.keys(VALUES).sort()).toEqual([...RECORD_FIELDS].sort());
    expect(() => parseNewRecord(full())).not.toThrow();
  });

  for (const field of RECORD_FIELDS) {
    it(`${field}: changing it changes the chain hash (tamper-evident)`, () => {
      const a = full();
      const b = { ...full(), [field]: VALUES[field][1] };
      expect(chainHash(parseNewRecord(b), GENESIS_HASH)).not.toBe(chainHash(parseNewRecord(a), GENESIS_HASH));
    });
  }

  it('a row written and read back is the same record, field for field', () => {
    const record: ProtocolRecord = { ...parseNewRecord(full()), seq: 7, prevHash: GENESIS_HASH, hash: 'h' };
    const values = recordToRow(record);
    const row = Object.fromEntries(RECORD_COLUMNS.map((c, i) => [c, values[i]])) as unknown as RecordRow;
    expect(rowToRecord(row)).toEqual(record);
  });

  it('the CSV export has a column for every field (outcome by its parts)', () => {
    const columns = new Set<string>(CSV_COLUMNS);
    for (const field of RECORD_FIELDS) {
      if (field === 'outcome') for (const part of ['ergebnisstatus', 'rueckweisung', 'rts', 'technicalFailure', 'personCount']) expect(columns.has(part), part).toBe(true);
      else expect(columns.has(field), field).toBe(true);
    }
  });
});
