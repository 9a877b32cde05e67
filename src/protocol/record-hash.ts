/**
 * The chain hash: SHA-256 over the canonical JSON of a record's content and its predecessor's
 * hash — the record's JSON form limited to the hashed fields of record-fields.ts. `seq` is not
 * hashed — order is fixed by the prevHash links, which lets verify tell a moved record (its own
 * hash still matches, its link does not) from a modified one. Absent fields are left out, not
 * hashed as null, so a field added later leaves the hashes of older records as they were.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { NewProtocolRecord } from './protocol-record.js';
import { HASHED_FIELDS, jsonForm } from './record-fields.js';

export function chainHash(record: NewProtocolRecord & { partition: string }, prevHash: string): string {
  return createHash('sha256').update(canonicalJson(jsonForm({ ...record, prevHash }, HASHED_FIELDS))).digest('hex');
}
