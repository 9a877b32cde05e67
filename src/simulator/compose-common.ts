/**
 * Building blocks shared by every message the simulator writes (answers, 0910s and the
 * fixture queries): root attributes, the G2G header, parties, addresses, dates.
 * Qualification follows XMeld (25.11a and 26.11 alike): header, address parts and `code`/`name` children are
 * unqualified, message-specific elements carry the `xmeld:` prefix.
 */
import { randomUUID } from 'node:crypto';
import type { LandInfo } from './lands.js';
import type { Address } from './population.js';
import type { Erreichbarkeit, Identifikation, SimulatedParty } from './request.js';
import { RELEASE_FACTS, type Release } from '../xmeld/releases.js';
import { code, el, ela, type XmlNodeSpec } from './xml-writer.js';

export const LIST_URI = {
  nachrichten: 'urn:de:xmeld:schluesseltabelle:xmeld.nachrichten',
  verzeichnisdienst: 'urn:xoev-de:kosit:codeliste:verzeichnisdienst',
  erreichbarkeit: 'urn:de:xoev:codeliste:erreichbarkeit',
  ergebnisstatus: 'urn:xoev-de:xmeld:codeliste:datenabruf.ergebnisstatus',
  nichterstellung: 'urn:xoev-de:xmeld:codeliste:datenabruf.nichterstellung.grund',
  ruecksendung: 'urn:de:xmeld:schluesseltabelle:ruecksendung.einer.nachricht',
  wohnungsstatus: 'urn:de:dsmeld:schluesseltabelle:wohnungsstatus',
  partnerschaft: 'urn:de:xmeld:schluesseltabelle:ehegatte.oder.lebenspartner',
  staatsangehoerigkeit: 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staatsangehoerigkeit',
  bundesland: 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:bundesland',
} as const;

/** Version of the AGS directory the simulator claims; registers do not check it (schema hint). */
export const AGS_LIST_VERSION = '2025-01-31';

export const PRODUCT = {
  produkt: 'xmeld-gateway Simulator',
  produkthersteller: 'xmeld-gateway',
  produktversion: '0.1.0',
} as const;

/** xs:dateTime with milliseconds and the local offset, like the registers' own timestamps. */
export function xmeldTimestamp(date: Date = new Date()): string {
  const offsetMin = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMin * 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local.toISOString().slice(0, 23)}${sign}${hh}:${mm}`;
}

export function newIdentifikation(nachrichtentyp: string, now: Date = new Date()): Identifikation {
  return { nachrichtenUUID: randomUUID(), nachrichtentyp, erstellungszeitpunkt: xmeldTimestamp(now) };
}

/** Root attributes of every XMeld message the simulator writes, in `release`. */
export function rootAttrs(test = 'Simulierte Nachricht, kein Echtbetrieb', release: Release = '25.11a'): Record<string, string> {
  return {
    'xmlns:xmeld': RELEASE_FACTS[release].namespace,
    ...PRODUCT,
    standard: 'XMeld',
    test,
    version: RELEASE_FACTS[release].version,
  };
}

/** The children of `identifikation.nachricht` / `ursprungsnachricht` (all unqualified). */
export function identifikationChildren(id: Identifikation, release: Release = '25.11a'): XmlNodeSpec[] {
  return [
    el('nachrichtenUUID', id.nachrichtenUUID),
    code('nachrichtentyp', id.nachrichtentyp, LIST_URI.nachrichten, RELEASE_FACTS[release].version),
    el('erstellungszeitpunkt', id.erstellungszeitpunkt),
  ];
}

function erreichbarkeitNode(e: Erreichbarkeit): XmlNodeSpec {
  return el(
    'erreichbarkeit',
    code('kanal', e.kanal, LIST_URI.erreichbarkeit, '3'),
    el('kennung', e.kennung),
    e.zusatz !== undefined && el('zusatz', e.zusatz),
  );
}

export function partyNode(tag: 'leser' | 'autor', p: SimulatedParty): XmlNodeSpec {
  return el(
    tag,
    code('verzeichnisdienst', 'DVDV', LIST_URI.verzeichnisdienst, '3'),
    el('kennung', p.kennung),
    p.name !== undefined && el('name', p.name),
    p.erreichbarkeit.map(erreichbarkeitNode),
  );
}

export function nachrichtenkopf(id: Identifikation, leser: SimulatedParty, autor: SimulatedParty, release: Release = '25.11a'): XmlNodeSpec {
  return el(
    'nachrichtenkopf.g2g',
    el('identifikation.nachricht', identifikationChildren(id, release)),
    partyNode('leser', leser),
    partyNode('autor', autor),
  );
}

/** A building address (`xipa:PostalischeInlandsanschrift`, gebaeude variant). */
export function gebaeude(tag: string, a: Address): XmlNodeSpec {
  return el(
    tag,
    el('gebaeude', el('hausnummer', a.hausnummer), el('postleitzahl', a.postleitzahl), el('strasse', a.strasse), el('wohnort', a.wohnort)),
  );
}

export function registerParty(info: LandInfo): SimulatedParty {
  return {
    kennung: `ags:${info.registerAgs}`,
    name: `Simuliertes Melderegister ${info.name}`,
    erreichbarkeit: [{ kanal: '01', kennung: `melderegister-${info.code}@simulator.invalid` }],
  };
}

export function agsCode(tag: string, ags: string): XmlNodeSpec {
  return code(tag, ags, undefined, AGS_LIST_VERSION);
}

/** `xima:Meldeanschrift` children in schema order (gemeindeschluessel … wohnort), unqualified. */
export function meldeanschriftChildren(ags: string, a: Address): XmlNodeSpec[] {
  return [
    agsCode('gemeindeschluessel', ags),
    el('hausnummer', a.hausnummer),
    el('postleitzahl', a.postleitzahl),
    el('strasse', a.strasse),
    el('wohnort', a.wohnort),
  ];
}

/** `xida:TeilbekanntesDatum…` with a full date. */
export function teilbekanntesDatum(date: string): XmlNodeSpec {
  return el('teilbekanntesDatum', el('jahrMonatTag', date));
}

export function geschlechtNode(value: string): XmlNodeSpec {
  return ela('xmeld:geschlecht', { listVersionID: '1' }, el('code', value));
}
