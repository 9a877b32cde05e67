import { describe, expect, it } from 'vitest';
import { precheckQuery } from '../../src/rules/precheck-query.js';
import { queryModel } from '../support/query-model.js';

const cross = { crossState: true };

describe('pre-checks answered by the gateway with the register\'s own codes', () => {
  it('lets a lawful query through', () => {
    expect(precheckQuery(queryModel(), cross)).toEqual([]);
  });

  const table: [string, Parameters<typeof queryModel>[0], string[], object?][] = [
    ['minimum selection data missing (name + AGS only)', { selection: { hasGeburtsdatum: false } }, ['18']],
    ['AGS + Straße is enough', { selection: { hasGeburtsdatum: false, hasStrasse: true } }, []],
    ['AGS + Geschlecht is enough', { selection: { hasGeburtsdatum: false, hasGeschlecht: true } }, []],
    ['a token-only follow-up needs no selection data', { identifikationsmerkmalOnly: true, ags: [], selection: { hasName: false, hasGeburtsdatum: false } }, []],
    ['wildcard *', { selection: { nameParts: ['Erik*', 'Testfrau'] } }, ['15']],
    ['wildcard ? with phonetic search', { selection: { nameParts: ['Er?ka'], phonetik: true } }, ['15']],
    ['landesspezifischeErweiterungen cross-state', { hasLandesspezifischeErweiterungen: true }, ['23']],
    ['security selection data from an ordinary authority', { number: '1332', selection: { securitySelection: ['waffenrechtlicheErlaubnis', 'sprengstoffrechtlicheErlaubnis'] } }, ['04', '06']],
    ['ID data requested by an ordinary authority', { anforderungselemente: ['1', '163', '171'] }, ['07']],
    ['§ 3 Abs. 2 Nr. 4 facts', { anforderungselemente: ['176'] }, ['08']],
    ['weapons data', { anforderungselemente: ['179'] }, ['09']],
    ['Wohnungsgeber', { anforderungselemente: ['184'] }, ['10']],
    ['Einzugsdatum', { anforderungselemente: ['74'] }, ['11']],
    ['free search: Einzugsdatum (28) and ID data (29–37)', { number: '1332', anforderungselemente: ['1', '28', '30'] }, ['07', '11']],
    ['house-number range end before start', { number: '1332', selection: { hausnummernbereich: { von: '12', bis: '3' } } }, ['19']],
    ['house-number range end equal start', { number: '1332', selection: { hausnummernbereich: { von: '12a', bis: '12a' } } }, ['19']],
    ['house-number range ascending with suffix', { number: '1332', selection: { hausnummernbereich: { von: '12', bis: '12a' } } }, []],
    ['birth period end before start', { number: '1332', selection: { geburtszeitraum: { von: '1990-01-01', bis: '1989-12-31' } } }, ['20']],
    ['aktualität without street', { number: '1332', selection: { hasAktualitaetAnschrift: true } }, ['21']],
  ];
  for (const [name, over, codes] of table) {
    it(name, () => {
      expect(precheckQuery(queryModel(over), cross)).toEqual(codes);
    });
  }

  it('lets a security authority request restricted data and use security selection data', () => {
    const q = queryModel({
      datenAbrufendeStelle: { sicherheitsbehoerde: true },
      anforderungselemente: ['74', '163', '176', '179', '184'],
    });
    expect(precheckQuery(q, cross)).toEqual([]);
    expect(precheckQuery(q, { ...cross, authority: { registeredAsSecurityAuthority: true } })).toEqual([]);
  });

  it('answers 03 when sicherheitsbehoerde=true comes from an authority not registered as one', () => {
    const q = queryModel({ datenAbrufendeStelle: { sicherheitsbehoerde: true }, anforderungselemente: ['74'] });
    expect(precheckQuery(q, { ...cross, authority: { registeredAsSecurityAuthority: false } })).toEqual(['03', '11']);
  });

  it('honours restricted data an ordinary authority is entitled to', () => {
    const q = queryModel({ anforderungselemente: ['74', '184'] });
    expect(precheckQuery(q, { ...cross, authority: { entitledTo: ['einzugsdatum'] } })).toEqual(['10']);
  });

  it('allows landesspezifischeErweiterungen within the own Land', () => {
    expect(precheckQuery(queryModel({ hasLandesspezifischeErweiterungen: true }), { crossState: false })).toEqual([]);
  });
});
