/**
 * Protocol export as CSV (RFC 4180: CRLF, quotes doubled, fields with , " CR LF quoted),
 * streamed record by record. Cells that a spreadsheet would run as a formula (starting with
 * = + - @, tab or CR) get a leading apostrophe. Nested values (suchprofil, export and purge
 * details) are JSON in one cell.
 */
import type { ProtocolRecord } from './protocol-record.js';
import { FIELD_LIST, fieldValue, isUnset, type RecordFieldName } from './record-fields.js';

/** One column per field of the record (the outcome by its parts), in the field table's order. */
export const CSV_COLUMNS: readonly RecordFieldName[] = FIELD_LIST.map((f) => f.name);

export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(r: ProtocolRecord): string {
  const cells = FIELD_LIST.map((f) => {
    const v = fieldValue(r, f);
    return csvCell(isUnset(f, v) ? '' : f.encoding.toCsv(v));
  });
  return `${cells.join(',')}\r\n`;
}

/** Header line, then one line per record; wrap in Readable.from() to pipe into a file. */
export async function* toCsv(records: AsyncIterable<ProtocolRecord>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for await (const r of records) yield csvLine(r);
}
