/**
 * Mapping between ProtocolRecord and table rows, field by field as record-fields.ts lists them.
 * rowToRecord yields exactly the normalised shape the hash was computed over on write (absent
 * optionals stay absent), so verify can recompute it. It reads both stores' encodings
 * (column-encoding.ts).
 */
import type { ProtocolRecord } from './protocol-record.js';
import { assemble, FIELD_LIST, fieldValue, isUnset, type RecordColumn } from './record-fields.js';

/** A row as either store returns it. */
export type RecordRow = { readonly [C in RecordColumn]: unknown };

/** Parameter values in RECORD_COLUMNS order. */
export function recordToRow(r: ProtocolRecord): unknown[] {
  return FIELD_LIST.map((f) => {
    const v = fieldValue(r, f);
    return isUnset(f, v) ? null : f.encoding.toParam(v);
  });
}

export function rowToRecord(row: RecordRow): ProtocolRecord {
  return assemble(FIELD_LIST, (f) => {
    const raw = row[f.column as RecordColumn];
    if (raw === null || raw === undefined) return f.presence === 'nullable' ? null : undefined;
    return f.encoding.fromColumn(raw);
  }) as unknown as ProtocolRecord;
}
