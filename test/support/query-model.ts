import type { QueryMessage, Selection } from '../../src/xmeld/query-message.js';

/** A query model for pure-logic tests: a lawful 1330 unless told otherwise. */
export function queryModel(over: Partial<Omit<QueryMessage, 'selection'>> & { selection?: Partial<Selection> } = {}): QueryMessage {
  const { selection, release, ...rest } = over;
  return {
    number: '1330',
    identification: { nachrichtenUUID: '11111111-2222-4333-8444-555555555555', nachrichtentyp: '1330', erstellungszeitpunkt: '2026-11-23T08:00:00.000+01:00' },
    leser: { kennung: 'ags:09162000' },
    autor: { kennung: 'dbs:030000010000' },
    datenAbrufendeStelle: { sicherheitsbehoerde: false },
    ags: ['09162000'],
    identifikationsmerkmalOnly: false,
    anforderungselemente: ['1', '6', '13'],
    hasLandesspezifischeErweiterungen: false,
    suchprofil: {},
    selection: {
      nameParts: ['Erika', 'Testfrau'], phonetik: false, hasName: true, hasStrasse: false, hasGeburtsdatum: true,
      hasGeburtsort: false, hasGeschlecht: false, hasSterbetag: false, hasSterbeort: false, hasAzrNummer: false,
      hasAktualitaetAnschrift: false, securitySelection: [],
      ...selection,
    },
    ...rest,
    release: release ?? '25.11a',
  };
}
