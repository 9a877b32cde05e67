/**
 * Writes 1330/1332 requests as a calling authority would: for the committed fixture queries
 * (fixtures/queries) and for tests. Shorter than the KoSIT reference messages — a handful of
 * anforderungselemente — but in the same structure.
 */
import type { Address } from './population.js';
import type { Identifikation, SimulatedParty, SimulatedSuchbereich } from './request.js';
import {
  AGS_LIST_VERSION,
  LIST_URI,
  agsCode,
  gebaeude,
  geschlechtNode,
  nachrichtenkopf,
  rootAttrs,
  teilbekanntesDatum,
} from './compose-common.js';
import { code, el, ela, renderDocument, type XmlNodeSpec } from './xml-writer.js';

/** A Niedersachsen police authority (a § 34 Abs. 4 BMG security authority) as the caller. */
export const DEFAULT_AUTHOR: SimulatedParty = {
  kennung: 'dbs:030000010000',
  name: 'Polizeidirektion Simulation (Niedersachsen)',
  erreichbarkeit: [{ kanal: '01', kennung: 'poststelle@polizei-simulation.invalid' }],
};

export const DEFAULT_AUTHOR_ADDRESS: Address = {
  strasse: 'Wachenweg',
  hausnummer: '110',
  postleitzahl: '30169',
  wohnort: 'Hannover',
};

export interface QueryCommon {
  identifikation: Identifikation;
  /** `leser/kennung`, e.g. `ags:09162000`. */
  leserKennung: string;
  leserName?: string;
  autor?: SimulatedParty;
  aktenzeichen?: string;
}

export type Suchprofil1330Spec =
  | { nachname: string; vornamen: string; ags: string; geburtsdatum?: string; geschlecht?: string }
  | { identifikationsmerkmal: string };

export interface Query1330Spec extends QueryCommon {
  suchprofil: Suchprofil1330Spec;
  /** personensuche.anforderungselement codes; default: names, birth date, spouse, children. */
  anforderungselemente?: string[];
}

export interface Query1332Spec extends QueryCommon {
  auswahldaten: { nachname?: string; vornamen?: string; geburtsdatum?: string; geschlecht?: string };
  suchbereich: SimulatedSuchbereich;
  anforderungselemente?: string[];
}

function head(spec: QueryCommon): XmlNodeSpec[] {
  const autor = spec.autor ?? DEFAULT_AUTHOR;
  const leser: SimulatedParty = { kennung: spec.leserKennung, name: spec.leserName ?? 'Meldebehörde', erreichbarkeit: [] };
  return [nachrichtenkopf(spec.identifikation, leser, autor), gebaeude('anschrift.autor', DEFAULT_AUTHOR_ADDRESS)];
}

function datenAbrufendeStelle(spec: QueryCommon): XmlNodeSpec {
  const autor = spec.autor ?? DEFAULT_AUTHOR;
  return el(
    'xmeld:datenAbrufendeStelle',
    el('xmeld:sicherheitsbehoerde', 'true'),
    el(
      'xmeld:abrufberechtigteStelle',
      autor.erreichbarkeit.map((e) =>
        el('xmeld:erreichbarkeit', code('kanal', e.kanal, LIST_URI.erreichbarkeit, '3'), el('kennung', e.kennung)),
      ),
      gebaeude('xmeld:anschrift', DEFAULT_AUTHOR_ADDRESS),
      el('xmeld:behoerdenname', autor.name ?? autor.kennung),
    ),
    el('xmeld:aktenzeichen', spec.aktenzeichen ?? 'SIM-2026-0001'),
    el('xmeld:anlassDesAbrufs', 'Personenüberprüfung (Simulation)'),
    el('xmeld:kennung', 'sim-sachbearbeitung-01'),
  );
}

function namen(nachname: string | undefined, vornamen: string | undefined): XmlNodeSpec {
  return el(
    'xmeld:name',
    el(
      'xmeld:name',
      el(
        'xmeld:nachnameUndVornamen',
        vornamen !== undefined && el('xmeld:vornamen', el('name', vornamen)),
        nachname !== undefined && el('xmeld:nachname', el('name', nachname)),
      ),
    ),
  );
}

function anforderung(codes: string[], tag = 'xmeld:anforderungselement'): XmlNodeSpec[] {
  return codes.map((c) => code(tag, c));
}

export function compose1330(spec: Query1330Spec): string {
  const sp = spec.suchprofil;
  const suchprofil =
    'identifikationsmerkmal' in sp
      ? el('xmeld:suchprofil', el('xmeld:identifikationsmerkmal', sp.identifikationsmerkmal))
      : el(
          'xmeld:suchprofil',
          el(
            'xmeld:auswahldaten',
            namen(sp.nachname, sp.vornamen),
            el('xmeld:anschrift', agsCode('gemeindeschluessel', sp.ags)),
            sp.geburtsdatum !== undefined &&
              el('xmeld:geburtsdatum', el('xmeld:geburtsdatum', teilbekanntesDatum(sp.geburtsdatum))),
            sp.geschlecht !== undefined && geschlechtNode(sp.geschlecht),
          ),
        );
  const root = ela(
    'xmeld:datenabruf.personensuche.suchanfrage.1330',
    rootAttrs('Simulierte Anfrage, kein Echtbetrieb'),
    head(spec),
    datenAbrufendeStelle(spec),
    suchprofil,
    el(
      'xmeld:steuerungsinformationen',
      anforderung(spec.anforderungselemente ?? ['1', '6', '13', '102', '146']),
      el('xmeld:verzichtAufMitteilung', 'true'),
    ),
  );
  return renderDocument(root);
}

const SUCHBEREICH_LIST: Record<SimulatedSuchbereich['art'], string | undefined> = {
  bundesland: LIST_URI.bundesland,
  bezirk: 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:bezirk',
  kreis: 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:kreis',
  gemeindeschluessel: undefined,
};

export function compose1332(spec: Query1332Spec): string {
  const a = spec.auswahldaten;
  const bereich = spec.suchbereich;
  const root = ela(
    'xmeld:datenabruf.freieSuche.suchanfrage.1332',
    rootAttrs('Simulierte Anfrage, kein Echtbetrieb'),
    head(spec),
    datenAbrufendeStelle(spec),
    el(
      'xmeld:suchprofil',
      el(
        'xmeld:auswahldaten',
        (a.nachname !== undefined || a.vornamen !== undefined) && namen(a.nachname, a.vornamen),
        a.geburtsdatum !== undefined &&
          el(
            'xmeld:geburtsdaten',
            el('xmeld:geburtstag', el('xmeld:geburtsdatum', el('xmeld:geburtsdatum', teilbekanntesDatum(a.geburtsdatum)))),
          ),
        a.geschlecht !== undefined && geschlechtNode(a.geschlecht),
      ),
    ),
    el(
      'xmeld:steuerungsinformationen',
      anforderung(spec.anforderungselemente ?? ['1', '6', '11', '17']),
      el(
        'xmeld:suchbereich',
        code(
          `xmeld:${bereich.art}`,
          bereich.code,
          SUCHBEREICH_LIST[bereich.art],
          bereich.art === 'gemeindeschluessel' ? AGS_LIST_VERSION : '0',
        ),
      ),
      el('xmeld:verzichtAufMitteilung', 'true'),
    ),
  );
  return renderDocument(root);
}
