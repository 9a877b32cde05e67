/**
 * Pure matching of a search against the fixture population. No I/O, no XML: the register's
 * decision ("hit", "list", "neutral") comes from here, the wire form from compose*.ts.
 */
import type { LandCode } from './lands.js';
import type { Person, Population } from './population.js';

/** Case-insensitive, Unicode-normalized, whitespace-collapsed comparison form of a name. */
export function normalizeName(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('de-DE');
}

export interface PersonensucheCriteria {
  ags: string;
  nachname: string;
  vornamen: string;
  geburtsdatum?: string;
}

export type PersonensucheMatch =
  | { kind: 'hit'; person: Person }
  | { kind: 'list'; persons: Person[] }
  /** 'blocked' never reaches the wire as such: it only selects the Land's block dialect. */
  | { kind: 'neutral'; reason: 'not-found' | 'blocked' };

/**
 * One unblocked match → hit; several matches → Trefferliste without the blocked ones (BMeldDAV
 * § 6 Abs. 2), even if only one is left, since the search did not identify anyone uniquely;
 * nothing, or only blocked persons → neutral.
 */
export function matchPersonensuche(
  population: Population,
  land: LandCode,
  criteria: PersonensucheCriteria,
): PersonensucheMatch {
  const nachname = normalizeName(criteria.nachname);
  const vornamen = normalizeName(criteria.vornamen);
  const candidates = (population[land] ?? []).filter(
    (p) =>
      p.ags === criteria.ags &&
      normalizeName(p.familienname) === nachname &&
      normalizeName(p.vornamen) === vornamen &&
      (criteria.geburtsdatum === undefined || p.geburtsdatum === criteria.geburtsdatum),
  );
  if (candidates.length === 0) return { kind: 'neutral', reason: 'not-found' };
  const visible = candidates.filter((p) => !p.auskunftssperre);
  if (visible.length === 0) return { kind: 'neutral', reason: 'blocked' };
  if (candidates.length === 1) return { kind: 'hit', person: visible[0]! };
  return { kind: 'list', persons: visible };
}

export interface FreieSucheCriteria {
  nachname?: string;
  vornamen?: string;
  geburtsdatum?: string;
  geschlecht?: string;
  /** Prefix of the AGS that defines the search area (2 Land, 3 Bezirk, 5 Kreis, 8 Gemeinde). */
  areaPrefix: string;
}

/** Every unblocked person in the area matching all criteria that were given (BMeldDAV § 8 Abs. 3). */
export function matchFreieSuche(population: Population, land: LandCode, criteria: FreieSucheCriteria): Person[] {
  const nachname = criteria.nachname === undefined ? undefined : normalizeName(criteria.nachname);
  const vornamen = criteria.vornamen === undefined ? undefined : normalizeName(criteria.vornamen);
  return (population[land] ?? []).filter(
    (p) =>
      !p.auskunftssperre &&
      p.ags.startsWith(criteria.areaPrefix) &&
      (nachname === undefined || normalizeName(p.familienname) === nachname) &&
      (vornamen === undefined || normalizeName(p.vornamen) === vornamen) &&
      (criteria.geburtsdatum === undefined || p.geburtsdatum === criteria.geburtsdatum) &&
      (criteria.geschlecht === undefined || p.geschlecht === criteria.geschlecht),
  );
}

/** The relatives that may be shown with a hit: blocked relatives are left out (§ 34a Abs. 5 S. 3 BMG). */
export function visibleRelatives(
  population: Population,
  land: LandCode,
  person: Person,
): { partner?: Person; kinder: Person[] } {
  const byId = new Map((population[land] ?? []).map((p) => [p.id, p]));
  const partner = person.partner ? byId.get(person.partner) : undefined;
  const kinder = person.kinder.map((id) => byId.get(id)).filter((k): k is Person => k !== undefined);
  return {
    ...(partner && !partner.auskunftssperre ? { partner } : {}),
    kinder: kinder.filter((k) => !k.auskunftssperre),
  };
}
