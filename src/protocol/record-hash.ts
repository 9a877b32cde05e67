/**
 * The chain hash: SHA-256 over the canonical JSON of a record's content and its predecessor's
 * hash. `seq` is not hashed — order is fixed by the prevHash links, which lets verify tell a
 * moved record (its own hash still matches, its link does not) from a modified one.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { NewProtocolRecord } from './protocol-record.js';

export function chainHash(record: NewProtocolRecord & { partition: string }, prevHash: string): string {
  const content: Record<string, unknown> = {
    vorgangsnummer: record.vorgangsnummer,
    hop: record.hop,
    at: record.at.toISOString(),
    messageType: record.messageType,
    nachrichtenUUID: record.nachrichtenUUID,
    autorKennung: record.autorKennung,
    abrufberechtigteStelle: record.abrufberechtigteStelle,
    aktenzeichen: record.aktenzeichen,
    anlassDesAbrufs: record.anlassDesAbrufs,
    kennung: record.kennung,
    sicherheitsbehoerde: record.sicherheitsbehoerde,
    suchprofil: record.suchprofil,
    anforderungselemente: record.anforderungselemente,
    target: record.target,
    xmeldRelease: record.xmeldRelease,
    translatedFrom: record.translatedFrom,
    endpoint: record.endpoint,
    endpointSource: record.endpointSource,
    outcome: record.outcome,
    partition: record.partition,
    exportInfo: record.exportInfo,
    purgeInfo: record.purgeInfo,
    // Absent on every other record: canonicalJson drops undefined, so older hashes stay valid.
    operatorEvent: record.operatorEvent,
    prevHash,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
