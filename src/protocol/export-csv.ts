/**
 * Protocol export as CSV (RFC 4180: CRLF, quotes doubled, fields with , " CR LF quoted),
 * streamed record by record. Cells that a spreadsheet would run as a formula (starting with
 * = + - @, tab or CR) get a leading apostrophe. Nested values (suchprofil, export and purge
 * details) are JSON in one cell.
 */
import type { ProtocolRecord } from './protocol-record.js';

export const CSV_COLUMNS = [
  'vorgangsnummer',
  'hop',
  'at',
  'partition',
  'seq',
  'messageType',
  'nachrichtenUUID',
  'autorKennung',
  'abrufberechtigteStelle',
  'aktenzeichen',
  'anlassDesAbrufs',
  'kennung',
  'sicherheitsbehoerde',
  'suchprofil',
  'anforderungselemente',
  'target',
  'xmeldRelease',
  'translatedFrom',
  'endpoint',
  'endpointSource',
  'ergebnisstatus',
  'rueckweisung',
  'rts',
  'technicalFailure',
  'personCount',
  'exportInfo',
  'purgeInfo',
  'operatorEvent',
  'prevHash',
  'hash',
] as const;

export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function cellValue(r: ProtocolRecord, column: (typeof CSV_COLUMNS)[number]): string {
  switch (column) {
    case 'at':
      return r.at.toISOString();
    case 'suchprofil':
      return r.suchprofil === undefined ? '' : JSON.stringify(r.suchprofil);
    case 'anforderungselemente':
      return r.anforderungselemente?.join(' ') ?? '';
    case 'ergebnisstatus':
      return r.outcome?.ergebnisstatus ?? '';
    case 'rueckweisung':
      return r.outcome?.rueckweisung?.join(' ') ?? '';
    case 'rts':
      return r.outcome?.rts ?? '';
    case 'technicalFailure':
      return r.outcome?.technicalFailure ?? '';
    case 'personCount':
      return r.outcome?.personCount === undefined ? '' : String(r.outcome.personCount);
    case 'exportInfo':
      return r.exportInfo ? JSON.stringify(r.exportInfo) : '';
    case 'purgeInfo':
      return r.purgeInfo ? JSON.stringify(r.purgeInfo) : '';
    case 'operatorEvent':
      return r.operatorEvent ? JSON.stringify(r.operatorEvent) : '';
    default: {
      const v = r[column];
      return v === undefined || v === null ? '' : String(v);
    }
  }
}

export function csvLine(r: ProtocolRecord): string {
  return `${CSV_COLUMNS.map((c) => csvCell(cellValue(r, c))).join(',')}\r\n`;
}

/** Header line, then one line per record; wrap in Readable.from() to pipe into a file. */
export async function* toCsv(records: AsyncIterable<ProtocolRecord>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for await (const r of records) yield csvLine(r);
}
