/**
 * Which records a hop produces, and in which partition (§ 40 Abs. 3 BMG).
 *
 * - Ordinary authorities: the full record, operator partition.
 * - Security authorities (§ 34 Abs. 4 S. 1 BMG) protocol themselves. Where one commissioned the
 *   operator to protocol for it, the full record goes to its own partition, which only its
 *   export reads. Either way the operator partition gets the technical record only (what the
 *   gateway needs to run and to trace failures): no query data, no kind of business answer.
 *
 * Pure; the gateway calls it before `append`.
 */
import {
  authorityPartition,
  OPERATOR_PARTITION,
  type NewProtocolRecord,
  type RecordedOutcome,
} from './protocol-record.js';

export interface PartitionPolicy {
  /** autorKennung of security authorities that commissioned the operator to protocol for them. */
  commissionedAuthorities: ReadonlySet<string>;
}

export function partitionPolicy(commissionedAuthorities: Iterable<string> = []): PartitionPolicy {
  return { commissionedAuthorities: new Set(commissionedAuthorities) };
}

export function recordsForHop(record: NewProtocolRecord, policy: PartitionPolicy): NewProtocolRecord[] {
  if (!record.sicherheitsbehoerde) return [{ ...record, partition: OPERATOR_PARTITION }];
  const technical = technicalRecord(record);
  const authority = record.autorKennung;
  if (authority !== undefined && policy.commissionedAuthorities.has(authority)) {
    return [{ ...record, partition: authorityPartition(authority) }, technical];
  }
  return [technical];
}

/** The technical part of a record: routing and transport facts, nothing of the query. */
export function technicalRecord(record: NewProtocolRecord): NewProtocolRecord {
  const out: NewProtocolRecord = {
    vorgangsnummer: record.vorgangsnummer,
    hop: record.hop,
    at: record.at,
    messageType: record.messageType,
    partition: OPERATOR_PARTITION,
  };
  if (record.nachrichtenUUID !== undefined) out.nachrichtenUUID = record.nachrichtenUUID;
  if (record.autorKennung !== undefined) out.autorKennung = record.autorKennung;
  if (record.sicherheitsbehoerde !== undefined) out.sicherheitsbehoerde = record.sicherheitsbehoerde;
  if (record.target !== undefined) out.target = record.target;
  // Release, translation and endpoint are transport facts: the operator needs them too.
  if (record.xmeldRelease !== undefined) out.xmeldRelease = record.xmeldRelease;
  if (record.translatedFrom !== undefined) out.translatedFrom = record.translatedFrom;
  if (record.endpoint !== undefined) out.endpoint = record.endpoint;
  if (record.endpointSource !== undefined) out.endpointSource = record.endpointSource;
  const outcome: RecordedOutcome = {};
  if (record.outcome?.rts !== undefined) outcome.rts = record.outcome.rts;
  if (record.outcome?.technicalFailure !== undefined) outcome.technicalFailure = record.outcome.technicalFailure;
  if (Object.keys(outcome).length > 0) out.outcome = outcome;
  return out;
}
