/**
 * Mapping between ProtocolRecord and table rows. rowToRecord yields exactly the normalised shape
 * the hash was computed over on write (absent optionals stay absent), so verify can recompute it.
 * It reads both stores' encodings: PostgreSQL's timestamptz, boolean and text[], and SQLite's
 * epoch milliseconds, 0/1 and JSON text (sqlite-migrations.ts).
 */
import type { ExportInfo, Hop, MessageType, OperatorEvent, Outcome, ProtocolRecord, PurgeInfo } from './protocol-record.js';
import { canonicalJson } from './canonical-json.js';
import { RECORD_COLUMNS } from './sql.js';

export interface RecordRow {
  partition: string;
  seq: number | string;
  vorgangsnummer: string;
  hop: string;
  at: Date | string | number;
  message_type: string | null;
  nachrichten_uuid: string | null;
  autor_kennung: string | null;
  abrufberechtigte_stelle: string | null;
  aktenzeichen: string | null;
  anlass_des_abrufs: string | null;
  kennung: string | null;
  sicherheitsbehoerde: boolean | number | null;
  suchprofil: string | null;
  anforderungselemente: string[] | string | null;
  target: string | null;
  ergebnisstatus: string | null;
  rueckweisung: string[] | string | null;
  rts: string | null;
  technical_failure: string | null;
  person_count: number | null;
  export_info: string | null;
  purge_info: string | null;
  xmeld_release: string | null;
  translated_from: string | null;
  endpoint: string | null;
  endpoint_source: string | null;
  operator_event: string | null;
  prev_hash: string;
  hash: string;
}

/** Parameter values in RECORD_COLUMNS order. */
export function recordToRow(r: ProtocolRecord): unknown[] {
  const row: Record<(typeof RECORD_COLUMNS)[number], unknown> = {
    partition: r.partition,
    seq: r.seq,
    vorgangsnummer: r.vorgangsnummer,
    hop: r.hop,
    at: r.at,
    message_type: r.messageType,
    nachrichten_uuid: r.nachrichtenUUID ?? null,
    autor_kennung: r.autorKennung ?? null,
    abrufberechtigte_stelle: r.abrufberechtigteStelle ?? null,
    aktenzeichen: r.aktenzeichen ?? null,
    anlass_des_abrufs: r.anlassDesAbrufs ?? null,
    kennung: r.kennung ?? null,
    sicherheitsbehoerde: r.sicherheitsbehoerde ?? null,
    // Stored as canonical JSON text, not jsonb: the bytes hashed are the bytes kept.
    suchprofil: r.suchprofil === undefined ? null : canonicalJson(r.suchprofil),
    anforderungselemente: r.anforderungselemente ?? null,
    target: r.target ?? null,
    ergebnisstatus: r.outcome?.ergebnisstatus ?? null,
    rueckweisung: r.outcome?.rueckweisung ?? null,
    rts: r.outcome?.rts ?? null,
    technical_failure: r.outcome?.technicalFailure ?? null,
    person_count: r.outcome?.personCount ?? null,
    export_info: r.exportInfo ? canonicalJson(r.exportInfo) : null,
    purge_info: r.purgeInfo ? canonicalJson(r.purgeInfo) : null,
    xmeld_release: r.xmeldRelease ?? null,
    translated_from: r.translatedFrom ?? null,
    endpoint: r.endpoint ?? null,
    endpoint_source: r.endpointSource ?? null,
    operator_event: r.operatorEvent ? canonicalJson(r.operatorEvent) : null,
    prev_hash: r.prevHash,
    hash: r.hash,
  };
  return RECORD_COLUMNS.map((c) => row[c]);
}

export function rowToRecord(row: RecordRow): ProtocolRecord {
  const r: ProtocolRecord = {
    partition: row.partition,
    seq: Number(row.seq),
    vorgangsnummer: row.vorgangsnummer,
    hop: row.hop as Hop,
    at: row.at instanceof Date ? row.at : new Date(row.at),
    messageType: row.message_type as MessageType | null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
  if (row.nachrichten_uuid !== null) r.nachrichtenUUID = row.nachrichten_uuid;
  if (row.autor_kennung !== null) r.autorKennung = row.autor_kennung;
  if (row.abrufberechtigte_stelle !== null) r.abrufberechtigteStelle = row.abrufberechtigte_stelle;
  if (row.aktenzeichen !== null) r.aktenzeichen = row.aktenzeichen;
  if (row.anlass_des_abrufs !== null) r.anlassDesAbrufs = row.anlass_des_abrufs;
  if (row.kennung !== null) r.kennung = row.kennung;
  if (row.sicherheitsbehoerde !== null) r.sicherheitsbehoerde = row.sicherheitsbehoerde === true || row.sicherheitsbehoerde === 1;
  if (row.suchprofil !== null) r.suchprofil = JSON.parse(row.suchprofil) as unknown;
  if (row.anforderungselemente !== null) r.anforderungselemente = textArray(row.anforderungselemente);
  if (row.target !== null) r.target = row.target;
  if (row.xmeld_release !== null) r.xmeldRelease = row.xmeld_release;
  if (row.translated_from !== null) r.translatedFrom = row.translated_from;
  if (row.endpoint !== null) r.endpoint = row.endpoint;
  if (row.endpoint_source !== null) r.endpointSource = row.endpoint_source as 'dvdv' | 'config';
  const outcome: Outcome = {};
  if (row.ergebnisstatus !== null) outcome.ergebnisstatus = row.ergebnisstatus;
  if (row.rueckweisung !== null) outcome.rueckweisung = textArray(row.rueckweisung);
  if (row.rts !== null) outcome.rts = row.rts;
  if (row.technical_failure !== null) outcome.technicalFailure = row.technical_failure;
  if (row.person_count !== null) outcome.personCount = Number(row.person_count);
  if (Object.keys(outcome).length > 0) r.outcome = outcome;
  if (row.export_info !== null) r.exportInfo = JSON.parse(row.export_info) as ExportInfo;
  if (row.purge_info !== null) r.purgeInfo = JSON.parse(row.purge_info) as PurgeInfo;
  if (row.operator_event !== null) r.operatorEvent = JSON.parse(row.operator_event) as OperatorEvent;
  return r;
}

/** A text array as PostgreSQL returns it, or as SQLite keeps it (JSON text). */
function textArray(value: string[] | string): string[] {
  return typeof value === 'string' ? (JSON.parse(value) as string[]) : value;
}
