/**
 * Runtime check and normalisation of records handed to `append`.
 *
 * Strict objects: a field the record type does not know (say, an answer's `person`) is an
 * error, so answer content cannot slip into the protocol through a cast. Normalisation makes the
 * record exactly what a later read of the row yields, so the hash computed on write is the hash
 * recomputed on verify.
 */
import { z } from 'zod';
import { INTERNAL_HOPS, type NewProtocolRecord } from './protocol-record.js';
import { assemble, CONTENT_FIELDS, FIELD_LIST, fieldValue, isUnset } from './record-fields.js';

/** What a caller may set: the fields with a caller schema, the outcome's parts in one strict object. */
const callerFields = FIELD_LIST.flatMap((f) => (f.caller === undefined ? [] : [{ ...f, caller: f.caller }]));
const inPresence = (f: (typeof callerFields)[number]): z.ZodType =>
  f.presence === 'optional' ? f.caller.optional() : f.presence === 'nullable' ? f.caller.nullable() : f.caller;
const newRecordSchema = z.strictObject({
  ...Object.fromEntries(callerFields.filter((f) => f.group === undefined).map((f) => [f.name, inPresence(f)])),
  outcome: z.strictObject(Object.fromEntries(callerFields.filter((f) => f.group === 'outcome').map((f) => [f.name, inPresence(f)]))).optional(),
});

/**
 * The most one record may hold. Intake bounds every value it passes on far below this; the
 * bound here is the store's own guarantee that no input, however it got through, makes the
 * protocol grow by more than this per hop.
 */
export const MAX_RECORD_BYTES = 64 * 1024;

export class InvalidProtocolRecordError extends Error {
  override readonly name = 'InvalidProtocolRecordError';
}

/** Validates a caller's record and returns it normalised (see module comment). */
export function parseNewRecord(input: unknown): NewProtocolRecord & { partition: string } {
  const result = newRecordSchema.safeParse(input);
  if (!result.success) {
    // Only paths and messages: the values may be query data that does not belong in logs.
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`);
    throw new InvalidProtocolRecordError(`invalid protocol record: ${issues.join('; ')}`);
  }
  const r = result.data as NewProtocolRecord & { partition: string };
  const size = Buffer.byteLength(JSON.stringify(r));
  if (size > MAX_RECORD_BYTES) {
    throw new InvalidProtocolRecordError(`invalid protocol record: ${size} bytes, more than ${MAX_RECORD_BYTES}`);
  }
  if (INTERNAL_HOPS.has(r.hop)) {
    throw new InvalidProtocolRecordError(`invalid protocol record: hop ${r.hop} is written by the store only`);
  }
  return normaliseRecord(r);
}

/** Drops absent optionals and round-trips JSON parts, so write and read shapes are identical. */
export function normaliseRecord<T extends NewProtocolRecord & { partition: string }>(r: T): T {
  return assemble(CONTENT_FIELDS, (f) => {
    const v = fieldValue(r, f);
    if (v === undefined) return undefined;
    return isUnset(f, v) ? null : f.encoding.normalise(v);
  }) as T;
}
