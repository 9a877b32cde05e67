/**
 * Runtime check and normalisation of records handed to `append`.
 *
 * Strict objects: a field the record type does not know (say, an answer's `person`) is an
 * error, so answer content cannot slip into the protocol through a cast. Normalisation makes the
 * record exactly what a later read of the row yields, so the hash computed on write is the hash
 * recomputed on verify.
 */
import { z } from 'zod';
import {
  HOPS,
  INTERNAL_HOPS,
  MESSAGE_TYPES,
  OPERATOR_ACTIONS,
  OPERATOR_PARTITION,
  type NewProtocolRecord,
  type Outcome,
} from './protocol-record.js';

// PostgreSQL text cannot hold NUL, and a lone surrogate would be stored as U+FFFD — the record
// would then fail its own hash. Refuse both here rather than fail later.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const text = z
  .string()
  .refine((s) => !s.includes('\u0000'), 'NUL character')
  .refine((s) => !LONE_SURROGATE.test(s), 'lone surrogate');
const nonEmpty = text.refine((s) => s.length > 0, 'empty');

const outcomeSchema = z.strictObject({
  ergebnisstatus: text.optional(),
  rueckweisung: z.array(text).optional(),
  rts: text.optional(),
  technicalFailure: text.optional(),
  personCount: z.number().int().nonnegative().max(2_147_483_647).optional(),
});

const operatorEventSchema = z.strictObject({
  action: z.enum(OPERATOR_ACTIONS),
  actor: nonEmpty,
  changes: z.array(text),
  reason: text.optional(),
});

const newRecordSchema = z.strictObject({
  vorgangsnummer: nonEmpty,
  hop: z.enum(HOPS),
  at: z.date().refine((d) => !Number.isNaN(d.getTime()), 'invalid date'),
  messageType: z.enum(MESSAGE_TYPES).nullable(),
  nachrichtenUUID: text.optional(),
  autorKennung: text.optional(),
  abrufberechtigteStelle: text.optional(),
  aktenzeichen: text.optional(),
  anlassDesAbrufs: text.optional(),
  kennung: text.optional(),
  sicherheitsbehoerde: z.boolean().optional(),
  suchprofil: z.unknown().optional(),
  anforderungselemente: z.array(text).optional(),
  target: text.optional(),
  xmeldRelease: text.optional(),
  translatedFrom: text.optional(),
  endpoint: text.optional(),
  endpointSource: z.enum(['dvdv', 'config']).optional(),
  outcome: outcomeSchema.optional(),
  partition: nonEmpty.optional(),
  operatorEvent: operatorEventSchema.optional(),
});

/**
 * The most one record may hold. Intake bounds every value it passes on far below this; the
 * bound here is the store's own guarantee that no input, however it got through, makes the
 * protocol grow by more than this per hop.
 */
export const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Every field a caller's record may have: the hash, the rows and the exports must carry each.
 * (exportInfo and purgeInfo are the store's own, written with its internal hops.)
 */
export type RecordField = Exclude<keyof NewProtocolRecord, 'exportInfo' | 'purgeInfo'>;
export const RECORD_FIELDS = Object.keys(newRecordSchema.shape) as RecordField[];

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
  const r = result.data;
  const size = Buffer.byteLength(JSON.stringify(r));
  if (size > MAX_RECORD_BYTES) {
    throw new InvalidProtocolRecordError(`invalid protocol record: ${size} bytes, more than ${MAX_RECORD_BYTES}`);
  }
  if (INTERNAL_HOPS.has(r.hop)) {
    throw new InvalidProtocolRecordError(`invalid protocol record: hop ${r.hop} is written by the store only`);
  }
  return normaliseRecord({ ...r, partition: r.partition ?? OPERATOR_PARTITION });
}

/** Drops absent optionals and round-trips JSON parts, so write and read shapes are identical. */
export function normaliseRecord<T extends NewProtocolRecord & { partition: string }>(r: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(r)) {
    if (value === undefined) continue;
    out[key] = value;
  }
  out['at'] = new Date(r.at.getTime());
  if (r.suchprofil !== undefined) {
    const json = JSON.stringify(r.suchprofil);
    if (json === undefined) delete out['suchprofil'];
    else out['suchprofil'] = JSON.parse(json) as unknown;
  }
  if (r.operatorEvent !== undefined) out['operatorEvent'] = JSON.parse(JSON.stringify(r.operatorEvent)) as unknown;
  const outcome = r.outcome ? normaliseOutcome(r.outcome) : undefined;
  if (outcome) out['outcome'] = outcome;
  else delete out['outcome'];
  return out as T;
}

function normaliseOutcome(o: Outcome): Outcome | undefined {
  const out: Outcome = {};
  if (o.ergebnisstatus !== undefined) out.ergebnisstatus = o.ergebnisstatus;
  if (o.rueckweisung !== undefined) out.rueckweisung = [...o.rueckweisung];
  if (o.rts !== undefined) out.rts = o.rts;
  if (o.technicalFailure !== undefined) out.technicalFailure = o.technicalFailure;
  if (o.personCount !== undefined) out.personCount = o.personCount;
  return Object.keys(out).length > 0 ? out : undefined;
}
