/** Pure parts of the simulator: population loading, matching, magic names, tokens, fixtures. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decide, registerContext } from '../../src/simulator/decide.js';
import { FIXTURE_QUERIES, renderFixtureQuery } from '../../src/simulator/fixture-queries.js';
import { LANDS, LAND_CODES } from '../../src/simulator/lands.js';
import { magicFor } from '../../src/simulator/magic.js';
import { matchFreieSuche, matchPersonensuche, visibleRelatives } from '../../src/simulator/match.js';
import { loadPopulation, populationFromData, PopulationError, type Person } from '../../src/simulator/population.js';
import type { Personensuche1330 } from '../../src/simulator/request.js';
import { identifikationsmerkmalFor, resolveIdentifikationsmerkmal } from '../../src/simulator/token.js';

const population = await loadPopulation();

describe('fixture population', () => {
  it('has persons in every Land, blocked ones among them', () => {
    for (const land of LAND_CODES) {
      const persons = population[land] ?? [];
      expect(persons.length).toBeGreaterThanOrEqual(5);
      expect(persons.some((p) => p.auskunftssperre)).toBe(true);
      expect(persons.every((p) => p.ags.startsWith(land))).toBe(true);
    }
  });

  const person = (over: Partial<Person>) => ({
    id: 'x-1', ags: '03241001', familienname: 'A', vornamen: 'B', geburtsdatum: '2000-01-01', geschlecht: 'w',
    anschrift: { strasse: 'S', hausnummer: '1', postleitzahl: '30159', wohnort: 'H' }, ...over,
  });

  it('refuses an AGS outside its Land', () => {
    expect(() => populationFromData({ lands: { '05': { persons: [person({})] } } })).toThrow(PopulationError);
  });

  it('refuses a dangling relative and a malformed date', () => {
    expect(() => populationFromData({ lands: { '03': { persons: [person({ partner: 'nobody' })] } } })).toThrow(/relative/);
    expect(() => populationFromData({ lands: { '03': { persons: [person({ geburtsdatum: '1.1.2000' })] } } })).toThrow(PopulationError);
  });
});

describe('matchPersonensuche', () => {
  const q = { ags: '05315000', nachname: 'Mustermensch', vornamen: 'Max' };

  it('lists several matches without the blocked one', () => {
    const m = matchPersonensuche(population, '05', q);
    expect(m.kind).toBe('list');
    if (m.kind === 'list') expect(m.persons.map((p) => p.geburtsdatum).sort()).toEqual(['1975-01-01', '1988-08-08']);
  });

  it('narrows by birth date and ignores case and spacing', () => {
    const m = matchPersonensuche(population, '05', { ...q, nachname: '  MUSTERmensch ', geburtsdatum: '1988-08-08' });
    expect(m).toMatchObject({ kind: 'hit', person: { id: '05-max-mustermensch-2' } });
  });

  it('is neutral for the blocked person and for nobody, and needs the right AGS', () => {
    expect(matchPersonensuche(population, '05', { ...q, geburtsdatum: '1992-12-12' })).toEqual({ kind: 'neutral', reason: 'blocked' });
    expect(matchPersonensuche(population, '05', { ...q, nachname: 'Niemand' })).toEqual({ kind: 'neutral', reason: 'not-found' });
    expect(matchPersonensuche(population, '05', { ...q, ags: '05315001' })).toEqual({ kind: 'neutral', reason: 'not-found' });
  });

  it('omits blocked relatives', () => {
    const fritz = population['01']!.find((p) => p.id === '01-fritz-beispielhaus')!;
    const rel = visibleRelatives(population, '01', fritz);
    expect(rel.partner?.vornamen).toBe('Frieda');
    expect(rel.kinder.map((k) => k.vornamen)).toEqual(['Fiona']);
  });
});

describe('matchFreieSuche', () => {
  it('searches within the area prefix and leaves blocked persons out', () => {
    expect(matchFreieSuche(population, '03', { nachname: 'testfrau', areaPrefix: '03' })).toHaveLength(2);
    expect(matchFreieSuche(population, '03', { nachname: 'Testfrau', areaPrefix: '03403' })).toHaveLength(1);
    expect(matchFreieSuche(population, '03', { nachname: 'Gesperrt', areaPrefix: '03' })).toHaveLength(0);
    expect(matchFreieSuche(population, '03', { geburtsdatum: '1959-11-11', areaPrefix: '03' }).map((p) => p.vornamen)).toEqual(['Otto']);
  });
});

describe('magic names', () => {
  it('recognises the documented names case-insensitively', () => {
    expect(magicFor('Rueckweisung17')).toEqual({ kind: 'rueckweisung', code: '17' });
    expect(magicFor('rueckweisung01')).toEqual({ kind: 'rueckweisung', code: '01' });
    expect(magicFor('Rueckweisung25')).toBeUndefined();
    expect(magicFor('LANGSAM')).toEqual({ kind: 'slow' });
    expect(magicFor('Kaputt')).toEqual({ kind: 'garbage' });
    expect(magicFor('Fehler')).toEqual({ kind: 'fault' });
    expect(magicFor('RueckSender')).toEqual({ kind: 'return-to-sender' });
    expect(magicFor('Falschkorrelation')).toEqual({ kind: 'wrong-correlation' });
    expect(magicFor('Zweitreffer')).toEqual({ kind: 'double-hit' });
    expect(magicFor('Testfrau')).toBeUndefined();
  });
});

describe('decide', () => {
  const query = (nachname: string, leser = 'ags:08111000'): Personensuche1330 => ({
    kind: '1330',
    identifikation: { nachrichtenUUID: 'u', nachrichtentyp: '1330', erstellungszeitpunkt: 't' },
    leser: { kennung: leser, erreichbarkeit: [] },
    autor: { kennung: 'dbs:030000010000', erreichbarkeit: [] },
    suchprofil: { kind: 'auswahldaten', nachname, vornamen: 'Berta', ags: '08111000' },
  });
  const ctx = registerContext('08', population, { slowDelayMs: 7 });

  it('answers a blocked person in the Land dialect and a miss plainly', () => {
    expect(decide(ctx, query('Gesperrt'))).toMatchObject({ kind: 'answer', antwort: { ergebnisstatus: '03', emptyPerson: true } });
    const miss = decide(ctx, query('Niemand'));
    expect(miss).toMatchObject({ kind: 'answer', antwort: { ergebnisstatus: '03', persons: [] } });
    expect(miss.kind === 'answer' && miss.antwort.kind === 'auskunft' && miss.antwort.emptyPerson).toBeFalsy();
  });

  it('checks leser before magic names, and the Land before the leser', () => {
    expect(decide(ctx, query('Kaputt', 'ags:08000000'))).toMatchObject({ antwort: { gruende: [{ code: '14' }] } });
    expect(decide(registerContext('09', population, { slowDelayMs: 0 }), query('Testfrau'))).toMatchObject({
      kind: 'return-to-sender',
      rts: 'T080',
    });
    expect(decide(ctx, query('Langsam'))).toMatchObject({ kind: 'answer', delayMs: 7 });
  });
});

describe('identifikationsmerkmal', () => {
  it('is deterministic, opaque and only valid at the issuing Land', () => {
    const max = population['05']!.find((p) => p.id === '05-max-mustermensch-1')!;
    const token = identifikationsmerkmalFor('05', max);
    expect(identifikationsmerkmalFor('05', max)).toBe(token);
    expect(token).toMatch(/^SIM05-[0-9A-F]{32}$/);
    expect(resolveIdentifikationsmerkmal(population, '05', token)?.id).toBe(max.id);
    expect(resolveIdentifikationsmerkmal(population, '06', token)).toBeUndefined();
    expect(resolveIdentifikationsmerkmal(population, '05', 'SIM05-FFFF')).toBeUndefined();
  });
});

describe('committed fixture queries', () => {
  it('are exactly what the catalogue generates (run write-fixture-queries.ts after changes)', async () => {
    for (const q of FIXTURE_QUERIES) {
      const onDisk = await readFile(new URL(`../../fixtures/queries/${q.file}`, import.meta.url), 'utf8');
      expect(onDisk, q.file).toBe(renderFixtureQuery(q));
    }
  });

  it('cover every block dialect in a Land that uses it', () => {
    const dialects = new Set(
      FIXTURE_QUERIES.filter((q) => q.file.startsWith('1330-blocked')).map((q) => LANDS[q.target].blockDialect),
    );
    expect([...dialects].sort()).toEqual(['empty-auskunft', 'standard', 'vendor-marker']);
  });
});
