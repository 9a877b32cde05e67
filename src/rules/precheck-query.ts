import { RUECKWEISUNG, type RueckweisungCode } from '../errors.js';
import type { QueryMessage, SecuritySelection } from '../xmeld/query-message.js';
import { REJECTION_FOR, restrictedDataRequested, type RestrictedData } from './anforderungselemente.js';

/**
 * Pre-checks the gateway answers itself, with the codes the register would use, so registers
 * are spared queries they would reject. Pure: the query model and the authority's registration
 * in, the rueckweisung codes out (empty: the query may go on).
 */
export interface AuthorityEntitlement {
  /** Registered as a security authority (§ 34 Abs. 4 S. 1 BMG); undefined: not known to the gateway. */
  registeredAsSecurityAuthority?: boolean;
  /** Restricted data an ordinary authority is entitled to by its own legal basis. */
  entitledTo?: readonly RestrictedData[];
}

const SECURITY_SELECTION_CODE: Record<SecuritySelection, RueckweisungCode> = {
  waffenrechtlicheErlaubnis: RUECKWEISUNG.waffenrechtlicheErlaubnisNichtBerechtigt,
  waffenbesitzverbot: RUECKWEISUNG.waffenbesitzverbotNichtBerechtigt,
  sprengstoffrechtlicheErlaubnis: RUECKWEISUNG.sprengstoffrechtlicheErlaubnisNichtBerechtigt,
};

/** Placeholders of a wildcard search (BMeldDAV § 4 Abs. 7 forbids them). */
const WILDCARD = /[*?%]/;

export function precheckQuery(q: QueryMessage, opts: { crossState: boolean; authority?: AuthorityEntitlement }): RueckweisungCode[] {
  const codes: RueckweisungCode[] = [];
  const s = q.selection;
  const security = q.datenAbrufendeStelle.sicherheitsbehoerde;

  if (security && opts.authority?.registeredAsSecurityAuthority === false) codes.push(RUECKWEISUNG.keineSicherheitsbehoerde);
  if (!security || opts.authority?.registeredAsSecurityAuthority === false) {
    for (const sel of s.securitySelection) codes.push(SECURITY_SELECTION_CODE[sel]);
    const entitled = new Set(opts.authority?.entitledTo ?? []);
    for (const kind of restrictedDataRequested(q.number, q.anforderungselemente)) {
      if (!entitled.has(kind)) codes.push(REJECTION_FOR[kind]);
    }
  }
  if (s.nameParts.some((p) => WILDCARD.test(p))) codes.push(RUECKWEISUNG.platzhalterBeiPhonetischerSuche);
  if (q.number === '1330' && !q.identifikationsmerkmalOnly && !meetsMinimum(q)) codes.push(RUECKWEISUNG.mindestangabenFehlen);
  if (s.hausnummernbereich && !rangeAscends(s.hausnummernbereich.von, s.hausnummernbereich.bis, compareHausnummer)) codes.push(RUECKWEISUNG.hausnummernbereichAbsteigend);
  if (s.geburtszeitraum && !rangeAscends(s.geburtszeitraum.von, s.geburtszeitraum.bis, (a, b) => a.localeCompare(b))) codes.push(RUECKWEISUNG.geburtszeitraumAbsteigend);
  if (q.number === '1332' && s.hasAktualitaetAnschrift && !s.hasStrasse) codes.push(RUECKWEISUNG.anschriftOhneStrasse);
  if (opts.crossState && q.hasLandesspezifischeErweiterungen) codes.push(RUECKWEISUNG.landesspezifischeErweiterungen);
  return [...new Set(codes)];
}

/**
 * § 38 Abs. 1 BMG / BMeldDAV § 4: a name (the schema enforces it) plus a full address, or the
 * Wohnort (AGS) with at least one of Straße, Geburtsdatum, Geburtsort, Geschlecht, Sterbedatum,
 * Sterbeort. A full address contains the Straße, so the second form covers both.
 */
function meetsMinimum(q: QueryMessage): boolean {
  const s = q.selection;
  return s.hasName && q.ags.length > 0
    && (s.hasStrasse || s.hasGeburtsdatum || s.hasGeburtsort || s.hasGeschlecht || s.hasSterbetag || s.hasSterbeort);
}

/** End after start (hausnummernbereichAbsteigend, geburtszeitraumAbsteigend reject end ≤ start). */
function rangeAscends(von: string, bis: string, compare: (a: string, b: string) => number): boolean {
  return compare(bis, von) > 0;
}

/** House numbers compare by their number first, then by any suffix ("12" < "12a" < "13"). */
function compareHausnummer(a: string, b: string): number {
  const na = Number.parseInt(a, 10);
  const nb = Number.parseInt(b, 10);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a.localeCompare(b);
}
