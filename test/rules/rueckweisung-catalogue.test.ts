import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRueckweisungCode, LIST_CAP, RUECKWEISUNG, RueckweisungGrund } from '../../src/errors.js';

/** The official code list (genericode), as KoSIT publishes it: key → name, in list order. */
function officialCodeList(): [string, string][] {
  const xml = readFileSync(new URL('../../../shared/xmeld/25.11a/codelists/urn-xoev-de-xmeld-codeliste-datenabruf.nichterstellung.grund_2.xml', import.meta.url), 'utf8');
  const rows = [...xml.matchAll(/<Row>([\s\S]*?)<\/Row>/g)].map((m) => m[1] ?? '');
  const value = (row: string, column: string): string =>
    new RegExp(`<Value ColumnRef="${column}">\\s*<SimpleValue>([^<]*)</SimpleValue>`).exec(row)?.[1] ?? '';
  return rows.map((row) => [value(row, 'key'), value(row, 'name')]);
}

describe('the rueckweisung catalogue (datenabruf.nichterstellung.grund v2)', () => {
  const official = officialCodeList();

  it('has every code 01–24 of the official list, each with its text word for word', () => {
    expect(official.map(([code]) => code)).toEqual(Array.from({ length: 24 }, (_, i) => String(i + 1).padStart(2, '0')));
    const ours = Object.entries(RueckweisungGrund).map(([code, { text }]) => [code, text]).sort(([a], [b]) => (a! < b! ? -1 : 1));
    expect(ours).toEqual(official);
  });

  it('names each code once, and each name gives back its own code', () => {
    const names = Object.values(RueckweisungGrund).map((g) => g.name);
    expect(new Set(names).size).toBe(24);
    for (const [code, { name }] of Object.entries(RueckweisungGrund)) expect(RUECKWEISUNG[name]).toBe(code);
    expect(Object.keys(RUECKWEISUNG)).toHaveLength(24);
  });

  it('keeps the wire values the rules relied on', () => {
    expect(RUECKWEISUNG.technischerFehler).toBe('16');
    expect(RUECKWEISUNG.sonstigerFachlicherFehler).toBe('17');
    expect(RUECKWEISUNG.trefferlisteZuGross).toBe('12');
    expect(RUECKWEISUNG.ergebnislisteZuGross).toBe('13');
    expect(RUECKWEISUNG.agsDesLesersAbweichend).toBe('14');
  });

  it('tells codes of the list from anything else', () => {
    expect(['01', '16', '24'].every(isRueckweisungCode)).toBe(true);
    expect(['00', '25', '1', '016', 'toString', 16, undefined].some(isRueckweisungCode)).toBe(false);
  });

  it('the list cap is the one the code list names for 12 and 13', () => {
    expect(LIST_CAP).toBe(1000);
    expect(RueckweisungGrund['12'].text).toContain(`${LIST_CAP} Treffern`);
    expect(RueckweisungGrund['13'].text).toContain(`${LIST_CAP} Ergebnissen`);
  });
});
