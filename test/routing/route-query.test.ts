import { describe, expect, it } from 'vitest';
import { routeFreieSuche, type FreieSucheRule } from '../../src/routing/route-freie-suche.js';
import { legKey, routePersonensuche } from '../../src/routing/route-query.js';
import { landOfAgs } from '../../src/routing/laender.js';
import { queryModel } from '../support/query-model.js';

describe('Land from the AGS', () => {
  it('takes the first two digits of an 8-digit AGS of one of the 16 Länder', () => {
    expect(landOfAgs('09162000')).toBe('09');
    expect(landOfAgs('16051000')).toBe('16');
    expect(landOfAgs('17000000')).toBeUndefined();
    expect(landOfAgs('0916200')).toBeUndefined();
    expect(landOfAgs('0916200x')).toBeUndefined();
  });
});

describe('person search routing (contract §6)', () => {
  const route = (over: Parameters<typeof queryModel>[0]) => {
    const r = routePersonensuche(queryModel(over), '03');
    return r.kind === 'forward' ? r.legs.map(legKey) : r;
  };
  it('routes by the single AGS when leser names it', () => {
    expect(route({})).toEqual(['land:09']);
  });
  it('routes the own Land to the mirror backend', () => {
    expect(route({ ags: ['03241001'], leser: { kennung: 'ags:03241001' } })).toEqual(['mirror']);
  });
  it('rejects with 14 when leser does not match, or there is no or more than one AGS', () => {
    expect(route({ leser: { kennung: 'ags:09000000' } })).toEqual({ kind: 'reject', code: '14' });
    expect(route({ ags: [] })).toEqual({ kind: 'reject', code: '14' });
    expect(route({ ags: ['09162000', '09162000'] })).toEqual({ kind: 'reject', code: '14' });
    expect(route({ ags: ['99000000'], leser: { kennung: 'ags:99000000' } })).toEqual({ kind: 'reject', code: '14' });
  });
  it('sends a token-only follow-up to the Land of leser', () => {
    expect(route({ identifikationsmerkmalOnly: true, ags: [], leser: { kennung: 'ags:05315000' } })).toEqual(['land:05']);
    expect(route({ identifikationsmerkmalOnly: true, ags: [], leser: { kennung: 'dbs:0501' } })).toEqual({ kind: 'reject', code: '14' });
  });
});

describe('free search routing and fan-out', () => {
  const nw: FreieSucheRule = { nurEinzelgemeinden: true, weiterFuerSicherheitsbehoerden: false, gemeinden: ['05315000', '05111000', '05913000'] };
  const he: FreieSucheRule = { nurEinzelgemeinden: true, weiterFuerSicherheitsbehoerden: true, gemeinden: ['06412000', '06414000'] };
  const rules = (land: string) => ({ '05': nw, '06': he } as Record<string, FreieSucheRule>)[land];
  const route = (suchbereich: { kind: 'bundesland' | 'bezirk' | 'kreis' | 'gemeindeschluessel'; codes: string[] } | undefined, sicherheitsbehoerde = false) => {
    const r = routeFreieSuche(queryModel({ number: '1332', suchbereich, datenAbrufendeStelle: { sicherheitsbehoerde } }), '03', rules);
    return r.kind === 'forward' ? r.legs.map(legKey) : r;
  };

  it('sends a Land-wide search to a Land that takes it as one message', () => {
    expect(route({ kind: 'bundesland', codes: ['09'] })).toEqual(['land:09']);
    expect(route({ kind: 'bundesland', codes: ['9'] })).toEqual(['land:09']);
  });
  it('fans out per municipality where a Land takes only single municipalities', () => {
    expect(route({ kind: 'bundesland', codes: ['05'] })).toEqual(['land:05/ags:05315000', 'land:05/ags:05111000', 'land:05/ags:05913000']);
    expect(route({ kind: 'bezirk', codes: ['053'] })).toEqual(['land:05/ags:05315000']);
    expect(route({ kind: 'kreis', codes: ['05111'] })).toEqual(['land:05/ags:05111000']);
  });
  it('sends a single-municipality search as it is', () => {
    expect(route({ kind: 'gemeindeschluessel', codes: ['05913000'] })).toEqual(['land:05']);
  });
  it('lets security authorities search wider where the Land allows it', () => {
    expect(route({ kind: 'bundesland', codes: ['06'] }, true)).toEqual(['land:06']);
    expect(route({ kind: 'bundesland', codes: ['06'] }, false)).toHaveLength(2);
  });
  it('routes the own Land to the mirror, which takes any area', () => {
    expect(route({ kind: 'kreis', codes: ['03403'] })).toEqual(['mirror']);
  });
  it('uses the Land of leser when the area has no code; refuses what it cannot place', () => {
    expect(route(undefined)).toEqual(['land:09']);
    expect(route({ kind: 'bundesland', codes: ['99'] })).toEqual({ kind: 'reject', code: '22' });
    expect(route({ kind: 'kreis', codes: ['05999'] })).toEqual({ kind: 'unroutable' });
  });
});
