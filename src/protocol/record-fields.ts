/**
 * The protocol record's shape, once: every field with its column, encoding, presence, whether
 * the chain hash covers it and what a caller may put in it. The hash input (record-hash.ts),
 * the row mapping (record-row.ts), the SQL column list (sql.ts), the validation
 * (record-schema.ts) and both exports derive from this table, so a field added here is hashed,
 * stored, checked and exported — and one added to the record's type but not here does not
 * compile. Order is the exports' column order.
 *
 * The migrations are history and write their columns out (a migration must not change after
 * it ran); record-columns.test.ts checks that the migrated schema has exactly these columns.
 */
import { z } from 'zod';
import { bigint, boolean, integer, json, text, textArray, timestamp, type ColumnEncoding } from './column-encoding.js';
import {
  HOPS,
  MESSAGE_TYPES,
  OPERATOR_ACTIONS,
  OPERATOR_PARTITION,
  type ExportInfo,
  type Hop,
  type MessageType,
  type NewProtocolRecord,
  type OperatorEvent,
  type ProtocolRecord,
  type PurgeInfo,
  type RecordedOutcome,
} from './protocol-record.js';

/**
 * required: always there, NOT NULL; nullable: always there, may be null (NULL in its column);
 * optional: absent or a value (absent is NULL).
 */
export type Presence = 'required' | 'nullable' | 'optional';

export interface FieldSpec<V> {
  readonly column: string;
  readonly encoding: ColumnEncoding<V>;
  readonly presence: Presence;
  /** Covered by the chain hash: every content field is; of the chain fields prevHash (the link). */
  readonly hashed: boolean;
  /** What a caller of `append` may put in the field; undefined: only the store writes it. */
  readonly caller: z.ZodType<V> | undefined;
  /** A part of the record's `outcome` rather than of the record itself. */
  readonly group?: 'outcome';
}

// PostgreSQL text cannot hold NUL, and a lone surrogate would be stored as U+FFFD — the record
// would then fail its own hash. Refuse both on append rather than fail later.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const anyText = z
  .string()
  .refine((s) => !s.includes('\u0000'), 'NUL character')
  .refine((s) => !LONE_SURROGATE.test(s), 'lone surrogate');
const nonEmpty = anyText.refine((s) => s.length > 0, 'empty');
const operatorEvent: z.ZodType<OperatorEvent> = z.strictObject({
  action: z.enum(OPERATOR_ACTIONS),
  actor: nonEmpty,
  changes: z.array(anyText),
  reason: anyText.optional(),
});

/** A content field: hashed, always. */
function content<C extends string, V>(column: C, encoding: ColumnEncoding<V>, presence: Presence, caller?: z.ZodType<V>) {
  return { column, encoding, presence, hashed: true as const, caller };
}

function outcomePart<C extends string, V>(column: C, encoding: ColumnEncoding<V>, caller: z.ZodType<V>) {
  return { ...content(column, encoding, 'optional', caller), group: 'outcome' as const };
}

/** Written by the store when it links the record into its partition's chain. */
function chain<C extends string, V>(column: C, encoding: ColumnEncoding<V>, hashed: boolean) {
  return { column, encoding, presence: 'required' as const, hashed, caller: undefined };
}

type Value<T, K extends keyof T> = Exclude<T[K], undefined>;
type ContentKey = Exclude<keyof NewProtocolRecord, 'outcome'>;
type ChainKey = Exclude<keyof ProtocolRecord, keyof NewProtocolRecord>;
/** One entry per field of ProtocolRecord (outcome by its parts), no more, no fewer. */
type FieldTable =
  & { readonly [K in ContentKey]-?: FieldSpec<Value<ProtocolRecord, K>> & { readonly hashed: true; readonly group?: never } }
  & { readonly [K in keyof RecordedOutcome]-?: FieldSpec<Value<RecordedOutcome, K>> & { readonly hashed: true; readonly group: 'outcome' } }
  & { readonly [K in ChainKey]-?: FieldSpec<ProtocolRecord[K]> };

export const RECORD_FIELDS = {
  vorgangsnummer: content('vorgangsnummer', text(), 'required', nonEmpty),
  hop: content('hop', text<Hop>(), 'required', z.enum(HOPS)),
  at: content('at', timestamp(), 'required', z.date().refine((d) => !Number.isNaN(d.getTime()), 'invalid date')),
  partition: content('partition', text(), 'required', nonEmpty.default(OPERATOR_PARTITION)),
  seq: chain('seq', bigint(), false),
  messageType: content('message_type', text<MessageType>(), 'nullable', z.enum(MESSAGE_TYPES)),
  nachrichtenUUID: content('nachrichten_uuid', text(), 'optional', anyText),
  autorKennung: content('autor_kennung', text(), 'optional', anyText),
  abrufberechtigteStelle: content('abrufberechtigte_stelle', text(), 'optional', anyText),
  aktenzeichen: content('aktenzeichen', text(), 'optional', anyText),
  anlassDesAbrufs: content('anlass_des_abrufs', text(), 'optional', anyText),
  kennung: content('kennung', text(), 'optional', anyText),
  sicherheitsbehoerde: content('sicherheitsbehoerde', boolean(), 'optional', z.boolean()),
  suchprofil: content('suchprofil', json<unknown>(), 'optional', z.unknown()),
  anforderungselemente: content('anforderungselemente', textArray(), 'optional', z.array(anyText)),
  target: content('target', text(), 'optional', anyText),
  xmeldRelease: content('xmeld_release', text(), 'optional', anyText),
  translatedFrom: content('translated_from', text(), 'optional', anyText),
  endpoint: content('endpoint', text(), 'optional', anyText),
  endpointSource: content('endpoint_source', text<'dvdv' | 'config'>(), 'optional', z.enum(['dvdv', 'config'])),
  ergebnisstatus: outcomePart('ergebnisstatus', text(), anyText),
  rueckweisung: outcomePart('rueckweisung', textArray(), z.array(anyText)),
  rts: outcomePart('rts', text(), anyText),
  technicalFailure: outcomePart('technical_failure', text(), anyText),
  personCount: outcomePart('person_count', integer(), z.number().int().nonnegative().max(2_147_483_647)),
  exportInfo: content('export_info', json<ExportInfo>(), 'optional'),
  purgeInfo: content('purge_info', json<PurgeInfo>(), 'optional'),
  operatorEvent: content('operator_event', json<OperatorEvent>(), 'optional', operatorEvent),
  prevHash: chain('prev_hash', text(), true),
  hash: chain('hash', text(), false),
} as const satisfies FieldTable;

export type RecordFieldName = keyof typeof RECORD_FIELDS;
export type RecordColumn = (typeof RECORD_FIELDS)[RecordFieldName]['column'];
type AnyField = FieldSpec<unknown> & { readonly name: RecordFieldName };

/** The table as a list, in its order. */
export const FIELD_LIST: readonly AnyField[] = Object.entries(RECORD_FIELDS).map(
  ([name, spec]) => ({ ...(spec as FieldSpec<unknown>), name: name as RecordFieldName }),
);

/** Record columns in insert order; `recordToRow` yields values in this order. */
export const RECORD_COLUMNS: readonly RecordColumn[] = FIELD_LIST.map((f) => f.column as RecordColumn);

const CHAIN_FIELDS: ReadonlySet<RecordFieldName> = new Set<ChainKey>(['seq', 'prevHash', 'hash']);
/** What the record says, as opposed to its place in the chain. */
export const CONTENT_FIELDS: readonly AnyField[] = FIELD_LIST.filter((f) => !CHAIN_FIELDS.has(f.name));

/** The fields whose values the chain hash covers. */
export const HASHED_FIELDS: readonly AnyField[] = FIELD_LIST.filter((f) => f.hashed);

/** A field's value in a record (undefined: absent). */
export function fieldValue(record: Partial<ProtocolRecord>, f: AnyField): unknown {
  const holder = (f.group === 'outcome' ? record.outcome : record) as Record<string, unknown> | undefined;
  return holder?.[f.name];
}

/** Absent, or a nullable field's null: NULL in its column, empty in CSV. */
export function isUnset(f: AnyField, value: unknown): boolean {
  return value === undefined || (value === null && f.presence === 'nullable');
}

/**
 * Builds a record-shaped object from per-field values (undefined: leave the field out); the
 * outcome's parts go into `outcome`, which is left out when it has none.
 */
export function assemble(fields: readonly AnyField[], value: (f: AnyField) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const outcome: Record<string, unknown> = {};
  for (const f of fields) {
    const v = value(f);
    if (v === undefined) continue;
    if (f.group === 'outcome') {
      if (!('outcome' in out)) out['outcome'] = outcome; // where its first part stands in the table
      outcome[f.name] = v;
    } else {
      out[f.name] = v;
    }
  }
  return out;
}

/** The record as JSON (`at` as ISO 8601), limited to `fields`: the hash input and the NDJSON line. */
export function jsonForm(record: Partial<ProtocolRecord>, fields: readonly AnyField[] = FIELD_LIST): Record<string, unknown> {
  return assemble(fields, (f) => {
    const v = fieldValue(record, f);
    return v === undefined || v === null ? v : f.encoding.toJson(v);
  });
}
