import type { JsonTree } from '../xml/element-to-json.js';
import type { Release } from './releases.js';

/**
 * What the gateway reads from an incoming 1330/1332: the routing keys, the data the protocol
 * must record (§ 40 BMG) and the header it answers to. Nothing here is sent onward — the query
 * travels on as the signed bytes it arrived in.
 */
export interface MessageIdentification {
  nachrichtenUUID: string;
  nachrichtentyp: string;
  erstellungszeitpunkt: string;
}

export interface Party {
  kennung: string;
  name?: string;
}

export interface DatenAbrufendeStelle {
  sicherheitsbehoerde: boolean;
  behoerdenname?: string;
  aktenzeichen?: string;
  anlassDesAbrufs?: string;
  kennung?: string;
}

export type Suchbereich =
  | { kind: 'bundesland' | 'bezirk' | 'kreis' | 'gemeindeschluessel'; codes: string[] };

export interface QueryMessage {
  number: '1330' | '1332';
  /** The XMeld release the caller wrote it in, and is answered in. */
  release: Release;
  identification: MessageIdentification;
  leser: Party;
  autor: Party;
  datenAbrufendeStelle: DatenAbrufendeStelle;
  /** 1330: all AGS given in auswahldaten/anschrift (exactly one is required). */
  ags: string[];
  /** 1330: the search profile is only a token from an earlier list. */
  identifikationsmerkmalOnly: boolean;
  /** 1332 only. */
  suchbereich?: Suchbereich;
  anforderungselemente: string[];
  hasLandesspezifischeErweiterungen: boolean;
  /** What the pre-checks need to know of the Auswahldaten (presence, ranges, flags). */
  selection: Selection;
  /** The search profile as a plain structure, for the protocol (§ 40 Abs. 1/2 BMG). */
  suchprofil: JsonTree;
}


export type SecuritySelection = 'waffenrechtlicheErlaubnis' | 'waffenbesitzverbot' | 'sprengstoffrechtlicheErlaubnis';

export interface Selection {
  /** Texts of the name parts (checked for wildcards). */
  nameParts: string[];
  phonetik: boolean;
  hasName: boolean;
  hasStrasse: boolean;
  hasGeburtsdatum: boolean;
  hasGeburtsort: boolean;
  hasGeschlecht: boolean;
  hasSterbetag: boolean;
  hasSterbeort: boolean;
  hasAzrNummer: boolean;
  /** 1332: a restriction to current/former addresses. */
  hasAktualitaetAnschrift: boolean;
  hausnummernbereich?: { von: string; bis: string };
  geburtszeitraum?: { von: string; bis: string };
  /** 1332 selection data reserved to security authorities (§ 34 Abs. 4 BMG). */
  securitySelection: SecuritySelection[];
}
