/**
 * The catalogue of ready-made queries in fixtures/queries: one per outcome a simulated
 * register can produce, each with what the register answers and what a gateway should hand
 * to its caller after normalization (CONTRACT § 7).
 */
import { createHash } from 'node:crypto';
import { compose1330, compose1332, type Query1330Spec, type Query1332Spec } from './compose-query.js';
import type { LandCode } from './lands.js';
import { identifikationsmerkmalFor } from './token.js';

/** What the simulated register sends back. */
export type RegisterExpectation =
  | { ergebnisstatus: '01' | '02' | '03' | '04'; persons: number; dialect?: 'vendor-marker' | 'empty-auskunft'; partner?: boolean; kinder?: number }
  | { rueckweisung: string[] }
  | { transport: 'garbage' | 'soap-fault' }
  | { transport: 'soap-fault-0910'; rts: string }
  | { transport: 'slow'; then: { ergebnisstatus: '03'; persons: 0 } }
  | { ergebnisstatus: '03'; persons: 0; correlation: 'wrong' }
  | { ergebnisstatus: '01'; persons: 2; violation: 'several-persons-with-01' };

/** What the caller of a gateway should receive. */
export type GatewayExpectation = { ergebnisstatus: '01' | '02' | '03' | '04' } | { rueckweisung: string[] };

export interface FixtureQuery {
  file: string;
  message: '1330' | '1332';
  target: LandCode;
  description: string;
  register: RegisterExpectation;
  gateway: GatewayExpectation;
  spec: Query1330Spec | Query1332Spec;
}

/** Fixed so regenerated files are identical; registers accept past timestamps. */
const FIXTURE_TIME = '2026-01-15T09:30:00.000+01:00';

/** A stable version-4-shaped UUID derived from the file name. */
export function fixtureUuid(file: string): string {
  const h = createHash('sha256').update(`xmeld-simulator-fixture|${file}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ident = (file: string, typ: '1330' | '1332') => ({
  nachrichtenUUID: fixtureUuid(file),
  nachrichtentyp: typ,
  erstellungszeitpunkt: FIXTURE_TIME,
});

function q1330(
  file: string,
  target: LandCode,
  ags: string,
  nachname: string,
  vornamen: string,
  extra: { geburtsdatum?: string; geschlecht?: string; leser?: string } = {},
): Pick<FixtureQuery, 'file' | 'message' | 'target' | 'spec'> {
  return {
    file,
    message: '1330',
    target,
    spec: {
      identifikation: ident(file, '1330'),
      leserKennung: extra.leser ?? `ags:${ags}`,
      suchprofil: {
        nachname, vornamen, ags,
        ...(extra.geburtsdatum ? { geburtsdatum: extra.geburtsdatum } : {}),
        ...(extra.geschlecht ? { geschlecht: extra.geschlecht } : {}),
      },
    },
  };
}

function qToken(file: string, target: LandCode, leserAgs: string, token: string): Pick<FixtureQuery, 'file' | 'message' | 'target' | 'spec'> {
  return {
    file,
    message: '1330',
    target,
    spec: { identifikation: ident(file, '1330'), leserKennung: `ags:${leserAgs}`, suchprofil: { identifikationsmerkmal: token } },
  };
}

function q1332(
  file: string,
  target: LandCode,
  leserAgs: string,
  auswahldaten: Query1332Spec['auswahldaten'],
  suchbereich: Query1332Spec['suchbereich'],
): Pick<FixtureQuery, 'file' | 'message' | 'target' | 'spec'> {
  return {
    file,
    message: '1332',
    target,
    spec: { identifikation: ident(file, '1332'), leserKennung: `ags:${leserAgs}`, auswahldaten, suchbereich },
  };
}

const TECH = { rueckweisung: ['16'] };

export const FIXTURE_QUERIES: readonly FixtureQuery[] = [
  {
    ...q1330('1330-unique-hit.xml', '09', '09162000', 'Testfrau', 'Erika', { geburtsdatum: '1980-04-12' }),
    description: 'Erika Testfrau in München: unique hit',
    register: { ergebnisstatus: '01', persons: 1 },
    gateway: { ergebnisstatus: '01' },
  },
  {
    ...q1330('1330-family-hit.xml', '01', '01002000', 'Beispielhaus', 'Fritz', { geschlecht: 'm' }),
    description: 'Fritz Beispielhaus in Kiel: hit with spouse and one child; the blocked child Felix is left out',
    register: { ergebnisstatus: '01', persons: 1, partner: true, kinder: 1 },
    gateway: { ergebnisstatus: '01' },
  },
  {
    ...q1330('1330-partner-blocked.xml', '02', '02000000', 'Probehaus', 'Paula', { geschlecht: 'w' }),
    description: 'Paula Probehaus in Hamburg: hit without partner, because her spouse is blocked',
    register: { ergebnisstatus: '01', persons: 1, partner: false, kinder: 0 },
    gateway: { ergebnisstatus: '01' },
  },
  {
    ...q1330('1330-trefferliste.xml', '05', '05315000', 'Mustermensch', 'Max', { geschlecht: 'm' }),
    description: 'Max Mustermensch (m) in Köln without birth date: Trefferliste of two (the third, blocked, is omitted)',
    register: { ergebnisstatus: '02', persons: 2 },
    gateway: { ergebnisstatus: '02' },
  },
  {
    ...qToken('1330-identifikationsmerkmal.xml', '05', '05315000',
      identifikationsmerkmalFor('05', { ags: '05315000', id: '05-max-mustermensch-2' })),
    description: 'Follow-up with the identifikationsmerkmal of the second Max Mustermensch from the Köln Trefferliste',
    register: { ergebnisstatus: '01', persons: 1 },
    gateway: { ergebnisstatus: '01' },
  },
  {
    ...qToken('1330-identifikationsmerkmal-unknown.xml', '05', '05315000', 'SIM05-00000000000000000000000000000000'),
    description: 'Follow-up with a token the Köln register never issued',
    register: { rueckweisung: ['01'] },
    gateway: { rueckweisung: ['01'] },
  },
  {
    ...q1330('1330-not-found.xml', '03', '03241001', 'Niemand', 'Nora', { geschlecht: 'w' }),
    description: 'Nora Niemand in Hannover (Land 03 = mirror): nobody → neutral answer',
    register: { ergebnisstatus: '03', persons: 0 },
    gateway: { ergebnisstatus: '03' },
  },
  {
    ...q1330('1330-blocked-standard.xml', '03', '03241001', 'Gesperrt', 'Berta', { geschlecht: 'w' }),
    description: 'Berta Gesperrt in Hannover, blocked, standard dialect: identical to not found',
    register: { ergebnisstatus: '03', persons: 0 },
    gateway: { ergebnisstatus: '03' },
  },
  {
    ...q1330('1330-blocked-vendor-marker.xml', '09', '09162000', 'Gesperrt', 'Berta', { geschlecht: 'w' }),
    description: 'Berta Gesperrt in München, blocked, vendor-marker dialect: 03 plus a vendor element the gateway must strip',
    register: { ergebnisstatus: '03', persons: 0, dialect: 'vendor-marker' },
    gateway: { ergebnisstatus: '03' },
  },
  {
    ...q1330('1330-blocked-empty-auskunft.xml', '08', '08111000', 'Gesperrt', 'Berta', { geschlecht: 'w' }),
    description: 'Berta Gesperrt in Stuttgart, blocked, empty-auskunft dialect: 03 with one empty person element',
    register: { ergebnisstatus: '03', persons: 0, dialect: 'empty-auskunft' },
    gateway: { ergebnisstatus: '03' },
  },
  {
    ...q1330('1330-blocked-by-birthdate.xml', '14', '14612000', 'Mustermensch', 'Max', { geburtsdatum: '1992-12-12' }),
    description: 'The blocked Max Mustermensch in Dresden, picked out by birth date (empty-auskunft dialect)',
    register: { ergebnisstatus: '03', persons: 0, dialect: 'empty-auskunft' },
    gateway: { ergebnisstatus: '03' },
  },
  {
    ...q1330('1330-rueckweisung-14.xml', '06', '06412000', 'Testfrau', 'Erika', { geschlecht: 'w', leser: 'ags:06000000' }),
    description: 'leser/kennung ags:06000000 does not match the AGS 06412000 of the search (a gateway rejects it itself)',
    register: { rueckweisung: ['14'] },
    gateway: { rueckweisung: ['14'] },
  },
  {
    ...q1330('1330-rueckweisung-17.xml', '07', '07315000', 'Rueckweisung17', 'Erika', { geschlecht: 'w' }),
    description: 'Magic name Rueckweisung17: business rejection 17 with freitext',
    register: { rueckweisung: ['17'] },
    gateway: { rueckweisung: ['17'] },
  },
  {
    ...q1330('1330-slow.xml', '11', '11000000', 'Langsam', 'Lars', { geschlecht: 'm' }),
    description: 'Magic name Langsam: the Berlin register answers (03) only after slowDelayMs (default 40 s)',
    register: { transport: 'slow', then: { ergebnisstatus: '03', persons: 0 } },
    gateway: TECH,
  },
  {
    ...q1330('1330-garbage.xml', '12', '12054000', 'Kaputt', 'Karl', { geschlecht: 'm' }),
    description: 'Magic name Kaputt: HTTP 200 with a body that is not XML',
    register: { transport: 'garbage' },
    gateway: TECH,
  },
  {
    ...q1330('1330-fault.xml', '13', '13003000', 'Fehler', 'Frank', { geschlecht: 'm' }),
    description: 'Magic name Fehler: SOAP fault (Server/Receiver) without detail',
    register: { transport: 'soap-fault' },
    gateway: TECH,
  },
  {
    ...q1330('1330-return-to-sender.xml', '14', '14612000', 'RueckSender', 'Rita', { geschlecht: 'w' }),
    description: 'Magic name RueckSender: SOAP fault (Client/Sender) with a 0910 (S999) in the detail',
    register: { transport: 'soap-fault-0910', rts: 'S999' },
    gateway: TECH,
  },
  {
    ...q1330('1330-wrong-correlation.xml', '15', '15003000', 'Falschkorrelation', 'Fred', { geschlecht: 'm' }),
    description: 'Magic name Falschkorrelation: valid 1331 whose ursprungsnachricht names another message',
    register: { ergebnisstatus: '03', persons: 0, correlation: 'wrong' },
    gateway: TECH,
  },
  {
    ...q1330('1330-double-hit.xml', '16', '16051000', 'Zweitreffer', 'Zora', { geschlecht: 'w' }),
    description: 'Magic name Zweitreffer: ergebnisstatus 01 with two persons (violates the XMeld rules)',
    register: { ergebnisstatus: '01', persons: 2, violation: 'several-persons-with-01' },
    gateway: TECH,
  },
  {
    ...q1332('1332-free-search-land.xml', '03', '03241001', { nachname: 'Testfrau', vornamen: 'Erika' }, { art: 'bundesland', code: '03' }),
    description: 'Free search for Erika Testfrau in all of Niedersachsen: Ergebnisliste of two (Hannover, Oldenburg)',
    register: { ergebnisstatus: '04', persons: 2 },
    gateway: { ergebnisstatus: '04' },
  },
  {
    ...q1332('1332-free-search-kreis.xml', '03', '03403000', { nachname: 'Testfrau' }, { art: 'kreis', code: '03403' }),
    description: 'Free search for surname Testfrau in Kreis 03403 (Oldenburg): Ergebnisliste of one',
    register: { ergebnisstatus: '04', persons: 1 },
    gateway: { ergebnisstatus: '04' },
  },
  {
    ...q1332('1332-free-search-none.xml', '03', '03241001', { nachname: 'Gesperrt' }, { art: 'gemeindeschluessel', code: '03241001' }),
    description: 'Free search for surname Gesperrt in Hannover: the only match is blocked → 03',
    register: { ergebnisstatus: '03', persons: 0 },
    gateway: { ergebnisstatus: '03' },
  },
];

export function renderFixtureQuery(q: FixtureQuery): string {
  return q.message === '1330' ? compose1330(q.spec as Query1330Spec) : compose1332(q.spec as Query1332Spec);
}
