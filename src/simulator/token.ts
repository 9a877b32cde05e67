/**
 * Identifikationsmerkmale the simulated registers hand out in Treffer- and Ergebnislisten.
 * Deterministic (so fixtures can carry a follow-up token) and opaque: a hash of the AGS and the
 * fixture id, never a name or date. The Land prefix lets a reader of logs see who issued it.
 */
import { createHash } from 'node:crypto';
import type { LandCode } from './lands.js';
import type { Person, Population } from './population.js';

export function identifikationsmerkmalFor(land: LandCode, person: Pick<Person, 'ags' | 'id'>): string {
  const digest = createHash('sha256').update(`xmeld-simulator|${person.ags}|${person.id}`).digest('hex');
  return `SIM${land}-${digest.slice(0, 32).toUpperCase()}`;
}

/** The person a token of this Land stands for, or undefined (unknown, foreign or malformed). */
export function resolveIdentifikationsmerkmal(
  population: Population,
  land: LandCode,
  token: string,
): Person | undefined {
  const wanted = token.trim();
  if (!wanted.startsWith(`SIM${land}-`)) return undefined;
  return (population[land] ?? []).find((p) => identifikationsmerkmalFor(land, p) === wanted);
}
