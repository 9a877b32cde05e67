import { RUECKWEISUNG, type RueckweisungCode } from '../errors.js';
import type { QueryMessage } from '../xmeld/query-message.js';
import { landOfAgs, landOfKennung, type LandCode } from './laender.js';

/** Where a query goes: the local mirror backend for this gateway's own Land, else that Land. */
export type Target = { kind: 'mirror' } | { kind: 'land'; land: LandCode };

/** One message the gateway sends for a query; `gemeinde` set where it fans out per municipality. */
export interface Leg {
  target: Target;
  gemeinde?: string;
}

export type RouteDecision =
  | { kind: 'forward'; legs: Leg[] }
  | { kind: 'reject'; code: RueckweisungCode }
  | { kind: 'unroutable' };

export function targetKey(t: Target): string {
  return t.kind === 'mirror' ? 'mirror' : `land:${t.land}`;
}

export function legKey(leg: Leg): string {
  return leg.gemeinde === undefined ? targetKey(leg.target) : `${targetKey(leg.target)}/ags:${leg.gemeinde}`;
}

export function isCrossState(leg: Leg): boolean {
  return leg.target.kind === 'land';
}

export function targetFor(land: LandCode, ownLand: string): Target {
  return land === ownLand ? { kind: 'mirror' } : { kind: 'land', land };
}

/**
 * Contract §6 for the person search: exactly one AGS, `leser/kennung` = `ags:<that AGS>`
 * (else rueckweisung 14, as the register itself would answer); a query that is only an
 * identifikationsmerkmal goes to the Land of `leser/kennung`, which issued the token.
 */
export function routePersonensuche(q: QueryMessage, ownLand: string): RouteDecision {
  if (q.identifikationsmerkmalOnly) {
    const land = landOfKennung(q.leser.kennung);
    return land === undefined ? { kind: 'reject', code: RUECKWEISUNG.agsDesLesersAbweichend } : { kind: 'forward', legs: [{ target: targetFor(land, ownLand) }] };
  }
  const [ags, ...more] = q.ags;
  if (ags === undefined || more.length > 0) return { kind: 'reject', code: RUECKWEISUNG.agsDesLesersAbweichend };
  const land = landOfAgs(ags);
  if (land === undefined || q.leser.kennung !== `ags:${ags}`) return { kind: 'reject', code: RUECKWEISUNG.agsDesLesersAbweichend };
  return { kind: 'forward', legs: [{ target: targetFor(land, ownLand) }] };
}
