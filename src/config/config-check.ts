import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';

/**
 * What is wrong with a configuration, said so an operator can fix it: each problem names the
 * key by its full path (`parties[2].signerSubject`), what was expected, and for a key the
 * schema does not know, the nearest one it does.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[], source?: string) {
    super(`invalid configuration${source === undefined ? '' : ` in ${source}`}:\n  ${problems.join('\n  ')}`);
  }
}

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  element?: { _zod: { def: Def } };
  valueType?: { _zod: { def: Def } };
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  options?: Array<{ _zod: { def: Def } }>;
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'pipe']);

function unwrap(def: Def): Def {
  let d = def;
  for (;;) {
    const inner = d.type === 'pipe' ? d.in : d.innerType;
    if (inner === undefined || !WRAPPERS.has(d.type)) return d;
    d = inner._zod.def;
  }
}

/** `parties[2].signerSubject` from zod's path segments. */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, seg) => {
    if (typeof seg === 'number') return `${out}[${seg}]`;
    const k = String(seg);
    if (!/^[A-Za-z_][\w]*$/.test(k)) return `${out}["${k}"]`; // a record key such as "26.11" or "03"
    return out === '' ? k : `${out}.${k}`;
  }, '');
}

/**
 * Keys in `raw` that the schema has no place for. zod drops them silently, so a typo would
 * quietly leave a setting at its default — the kind of fault found only in production.
 */
export function unknownKeys(schema: z.ZodType, raw: unknown): string[] {
  const problems: string[] = [];
  const walk = (def: Def, value: unknown, path: PropertyKey[]): void => {
    const d = unwrap(def);
    if (value === null || typeof value !== 'object') return;
    if (d.type === 'object' && d.shape !== undefined && !Array.isArray(value)) {
      const known = Object.keys(d.shape);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const field = d.shape[k];
        if (field === undefined) {
          problems.push(`${keyPath([...path, k])}: unknown key${suggestion(k, known)}`);
          continue;
        }
        walk(field._zod.def, v, [...path, k]);
      }
    } else if (d.type === 'array' && d.element !== undefined && Array.isArray(value)) {
      value.forEach((v, i) => walk((d.element as { _zod: { def: Def } })._zod.def, v, [...path, i]));
    } else if (d.type === 'record' && d.valueType !== undefined && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(d.valueType._zod.def, v, [...path, k]);
    } else if (d.type === 'union' && d.options !== undefined) {
      const objectOption = d.options.map((o) => unwrap(o._zod.def)).find((o) => o.type === 'object');
      if (objectOption !== undefined && !Array.isArray(value)) walk(objectOption, value, path);
    }
  };
  walk((schema as unknown as { _zod: { def: Def } })._zod.def, raw, []);
  return problems;
}

function suggestion(key: string, known: string[]): string {
  if (known.length === 0) return '';
  const near = closest(key, known);
  // Only a plausible typo: a few edits, fewer than half the key.
  return distance(key, near) <= Math.max(2, Math.floor(key.length / 3)) ? ` — did you mean ${near}?` : ` (known here: ${known.join(', ')})`;
}

/** zod's issues as `path: what was expected`, one line each. */
export function schemaProblems(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string[] {
  return issues.map((i) => `${keyPath(i.path) || '(top level)'}: ${i.message}`);
}

const SECRET_IN_URL = /^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)([^@]*)(@)/i;

/** Keys whose value is a secret itself (not the name of a file holding one). */
const SECRET_KEYS = new Set(['encryptionKey']);

/** The effective configuration for `config check`: passwords in connection strings and secret values masked. */
export function maskSecrets<T>(value: T): T {
  if (typeof value === 'string') return value.replace(SECRET_IN_URL, '$1***$3') as T;
  if (Array.isArray(value)) return value.map(maskSecrets) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) && typeof v === 'string' ? '***' : maskSecrets(v)])) as T;
  }
  return value;
}
