/**
 * How a record field is kept in its column and shown in the exports, one encoding per kind of
 * value. PostgreSQL keeps timestamptz, boolean and text[]; SQLite epoch milliseconds, 0/1 and
 * JSON text (sqlite-migrations.ts). The SQLite driver turns Date, boolean and arrays into its
 * forms itself, so a parameter is the same for both; a read accepts either store's form.
 */
import { canonicalJson } from './canonical-json.js';

export type EncodingKind = 'text' | 'bigint' | 'integer' | 'timestamp' | 'boolean' | 'textArray' | 'json';

export interface ColumnEncoding<V> {
  readonly kind: EncodingKind;
  /** The column's type as the migrated schema reports it: PostgreSQL's udt_name, SQLite's declared type. */
  readonly sqlType: { readonly postgresql: string; readonly sqlite: 'TEXT' | 'INTEGER' };
  /** Statement parameter for a value. */
  toParam(value: V): unknown;
  /** The value from a non-NULL column of either store. */
  fromColumn(raw: unknown): V;
  /** The value in the record's JSON form: what the chain hash covers and NDJSON exports. */
  toJson(value: V): unknown;
  /** The CSV cell (before quoting). */
  toCsv(value: V): string;
  /** The value as a read of its row yields it; undefined: nothing JSON can keep (the field is dropped). */
  normalise(value: V): V | undefined;
}

const same = <V>(v: V): V => v;

export function text<V extends string = string>(): ColumnEncoding<V> {
  return {
    kind: 'text',
    sqlType: { postgresql: 'text', sqlite: 'TEXT' },
    toParam: same,
    fromColumn: (raw) => raw as V,
    toJson: same,
    toCsv: same,
    normalise: same,
  };
}

function wholeNumber(kind: 'bigint' | 'integer', postgresql: string): ColumnEncoding<number> {
  return {
    kind,
    sqlType: { postgresql, sqlite: 'INTEGER' },
    toParam: same,
    // PostgreSQL hands bigint over as a string.
    fromColumn: (raw) => Number(raw),
    toJson: same,
    toCsv: String,
    normalise: same,
  };
}

export const bigint = (): ColumnEncoding<number> => wholeNumber('bigint', 'int8');
export const integer = (): ColumnEncoding<number> => wholeNumber('integer', 'int4');

/** Millisecond precision, as both stores keep it; JSON and CSV as ISO 8601 in UTC. */
export function timestamp(): ColumnEncoding<Date> {
  return {
    kind: 'timestamp',
    sqlType: { postgresql: 'timestamptz', sqlite: 'INTEGER' },
    toParam: same,
    fromColumn: (raw) => (raw instanceof Date ? raw : new Date(raw as number | string)),
    toJson: (d) => d.toISOString(),
    toCsv: (d) => d.toISOString(),
    normalise: (d) => new Date(d.getTime()),
  };
}

export function boolean(): ColumnEncoding<boolean> {
  return {
    kind: 'boolean',
    sqlType: { postgresql: 'bool', sqlite: 'INTEGER' },
    toParam: same,
    fromColumn: (raw) => raw === true || raw === 1,
    toJson: same,
    toCsv: String,
    normalise: same,
  };
}

/** Space-separated in CSV (codes never hold spaces). */
export function textArray(): ColumnEncoding<string[]> {
  return {
    kind: 'textArray',
    sqlType: { postgresql: '_text', sqlite: 'TEXT' },
    toParam: same,
    fromColumn: (raw) => (typeof raw === 'string' ? (JSON.parse(raw) as string[]) : (raw as string[])),
    toJson: same,
    toCsv: (v) => v.join(' '),
    normalise: (v) => [...v],
  };
}

/**
 * Structured values as canonical JSON text, not jsonb: the bytes hashed are the bytes kept.
 * JSON `null` is a value here (kept as the text `null`), not an absent field.
 */
export function json<V>(): ColumnEncoding<V> {
  return {
    kind: 'json',
    sqlType: { postgresql: 'text', sqlite: 'TEXT' },
    toParam: (v) => canonicalJson(v),
    fromColumn: (raw) => JSON.parse(raw as string) as V,
    toJson: same,
    toCsv: (v) => JSON.stringify(v),
    normalise: (v) => {
      const s = JSON.stringify(v);
      return s === undefined ? undefined : (JSON.parse(s) as V);
    },
  };
}
