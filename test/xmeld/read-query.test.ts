import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XmlDocument } from 'libxml2-wasm';
import { describe, expect, it } from 'vitest';
import { ReleaseSchemas } from '../../src/xmeld/release-schemas.js';
import { readQuery } from '../../src/xmeld/read-query.js';
import type { QueryMessage } from '../../src/xmeld/query-message.js';
import { translateQuery } from '../../src/xmeld/translate/translate-query.js';
import { fixturesDir, sharedDir } from '../support/paths.js';

const validator = ReleaseSchemas.load().validator;
const fixture = (file: string): string => readFileSync(path.join(fixturesDir, 'queries', file), 'utf8');

function read(xml: string, number: '1330' | '1332'): QueryMessage {
  const doc = XmlDocument.fromString(xml);
  try {
    return readQuery(doc.root, number);
  } finally {
    doc.dispose();
  }
}

describe('reading a query, whatever its release', () => {
  it('reads a 1330 of 25.11a: routing keys, the protocol\'s data and the header', () => {
    const q = read(fixture('1330-unique-hit.xml'), '1330');
    expect(q.release).toBe('25.11a');
    expect(q.number).toBe('1330');
    expect(q.identification.nachrichtenUUID).toBe('9ab02561-2494-4221-bdeb-8bef6e1d69e5');
    expect(q.autor.kennung).toBe('dbs:030000010000');
    expect(q.ags).toEqual(['09162000']);
    expect(q.datenAbrufendeStelle.anlassDesAbrufs).toBe('Personenüberprüfung (Simulation)');
    expect(q.anforderungselemente.length).toBeGreaterThan(0);
  });

  it('reads the same query in 26.11 to the same model, only the release differs', () => {
    const xml = fixture('1330-unique-hit.xml');
    const old = read(xml, '1330');
    const now = read(translateQuery(xml, { message: '1330', from: '25.11a', to: '26.11' }, validator), '1330');
    expect(now.release).toBe('26.11');
    expect({ ...now, release: old.release }).toEqual(old);
  });

  it('reads a free search (1332) in both releases alike', () => {
    const xml = fixture('1332-free-search-kreis.xml');
    const old = read(xml, '1332');
    expect(old.number).toBe('1332');
    const now = read(translateQuery(xml, { message: '1332', from: '25.11a', to: '26.11' }, validator), '1332');
    expect({ ...now, release: old.release }).toEqual(old);
  });

  it('reads the official 26.11 samples of the standard', () => {
    const dir = path.join(sharedDir, 'xmeld', '26.11', 'samples');
    for (const file of ['kosit-FachspezifischBehoerdenauskunft006a-1330-26.11.xml', 'kosit-FachspezifischBehoerdenauskunft005a-1332-26.11.xml']) {
      const number = file.includes('-1332-') ? '1332' : '1330';
      const q = read(readFileSync(path.join(dir, file), 'utf8'), number);
      expect(q.release, file).toBe('26.11');
      expect(q.number, file).toBe(number);
      expect(q.identification.nachrichtenUUID, file).toMatch(/^[0-9a-f-]{36}$/i);
      expect(q.autor.kennung, file).not.toBe('');
    }
  });
});
