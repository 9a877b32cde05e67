import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/gateway-config.js';
import { projectRoot } from '../support/paths.js';

/**
 * config/default.yaml is the configuration's documentation: every key of the schema stands in
 * it (set, or commented out where it has no default), and nothing stands in it that the schema
 * does not know. Paths are generalised: list items as `[]`, Land codes as `*`.
 */
interface ZodLike { _zod: { def: { type: string; shape?: Record<string, ZodLike>; element?: ZodLike; innerType?: ZodLike; in?: ZodLike } } }

function unwrap(s: ZodLike): ZodLike {
  let cur = s;
  for (;;) {
    const d = cur._zod.def;
    const inner = d.type === 'pipe' ? d.in : d.innerType;
    if (inner === undefined || !['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'pipe'].includes(d.type)) return cur;
    cur = inner;
  }
}

function schemaPaths(s: ZodLike, prefix = '', out = new Set<string>()): Set<string> {
  const d = unwrap(s)._zod.def;
  if (d.type === 'object' && d.shape) {
    for (const [k, v] of Object.entries(d.shape)) schemaPaths(v, prefix === '' ? generalise(k) : `${prefix}.${generalise(k)}`, out);
  } else if (d.type === 'array' && d.element && unwrap(d.element)._zod.def.type === 'object') {
    schemaPaths(d.element, `${prefix}[]`, out);
  } else {
    out.add(prefix);
  }
  return out;
}

function yamlPaths(v: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    if (v.some((x) => x !== null && typeof x === 'object')) for (const x of v) yamlPaths(x, `${prefix}[]`, out);
    else out.add(prefix);
  } else if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) out.add(prefix);
    for (const [k, x] of entries) yamlPaths(x, prefix === '' ? generalise(k) : `${prefix}.${generalise(k)}`, out);
  } else {
    out.add(prefix);
  }
  return out;
}

const generalise = (k: string): string => (/^\d{2}$/.test(k) ? '*' : k);

const text = readFileSync(path.join(projectRoot, 'config/default.yaml'), 'utf8');
const schema = schemaPaths(configSchema as unknown as ZodLike);
const written = yamlPaths(parseYaml(text));

describe('config/default.yaml documents the whole configuration schema', () => {
  it('knows every key it sets (a typo would be silently ignored otherwise)', () => {
    // Below a record's key (e.g. xmeld.releases."26.11") the record's own value schema applies.
    const isKnown = (p: string) => schema.has(p) || [...schema].some((s) => s.startsWith(`${p}.`) || s.startsWith(`${p}[]`) || p.startsWith(`${s}.`));
    expect([...written].filter((p) => !isKnown(p))).toEqual([]);
  });

  it('names every key of the schema, set or in a comment', () => {
    const comments = text.split('\n').filter((l) => l.includes('#')).map((l) => l.slice(l.indexOf('#') + 1)).join('\n');
    const missing = [...schema].filter((p) => {
      if (written.has(p)) return false;
      const leaf = p.split(/\.|\[\]/).filter(Boolean).pop() ?? p;
      return !new RegExp(`(^|[^\\w])${leaf}([^\\w]|$)`).test(comments);
    });
    expect(missing).toEqual([]);
  });

  it('finds the schema keys (the walk is not empty)', () => {
    expect(schema.size).toBeGreaterThan(50);
    expect(schema.has('http.bodyLimitBytes')).toBe(true);
    expect(schema.has('parties[].signerSubjects')).toBe(true);
  });
});
