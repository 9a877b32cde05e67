import { RUECKWEISUNG } from '../errors.js';
import type { QueryMessage } from '../xmeld/query-message.js';
import { isLandCode, landOfKennung, type LandCode } from './laender.js';
import { targetFor, type RouteDecision } from './route-query.js';

/**
 * How a Land accepts free searches from other states (BMeldDAV Anlage Nr. 3): some only for one
 * municipality at a time — then the gateway fans out one message per municipality it knows in
 * the search area; some allow wider areas to security authorities only.
 */
export interface FreieSucheRule {
  nurEinzelgemeinden: boolean;
  /** Wider areas are fine for security authorities (§ 34 Abs. 4 BMG), e.g. HE, SL. */
  weiterFuerSicherheitsbehoerden: boolean;
  /** The municipalities (AGS) of the Land the gateway fans out to. */
  gemeinden: readonly string[];
}

/**
 * Contract §6 for the free search: the target Land comes from `suchbereich` (a bundesland code,
 * or the first two digits of a bezirk, kreis or AGS); a search area without a code means the
 * Land of `leser/kennung`. The gateway's own Land goes to the mirror, which takes any area.
 */
export function routeFreieSuche(q: QueryMessage, ownLand: string, ruleOf: (land: LandCode) => FreieSucheRule | undefined): RouteDecision {
  const area = q.suchbereich;
  const code = area?.codes[0];
  const land = code === undefined ? landOfKennung(q.leser.kennung) : landOfCode(code);
  if (land === undefined || (area !== undefined && area.codes.length > 1)) return { kind: 'reject', code: RUECKWEISUNG.suchbereichNichtZustaendig };
  const target = targetFor(land, ownLand);
  const rule = ruleOf(land);
  const single = area?.kind === 'gemeindeschluessel';
  const mayGoWide = rule === undefined || !rule.nurEinzelgemeinden
    || (rule.weiterFuerSicherheitsbehoerden && q.datenAbrufendeStelle.sicherheitsbehoerde);
  if (target.kind === 'mirror' || single || mayGoWide) return { kind: 'forward', legs: [{ target }] };
  const prefix = code === undefined ? land : code;
  const gemeinden = rule.gemeinden.filter((ags) => ags.startsWith(prefix));
  if (gemeinden.length === 0) return { kind: 'unroutable' };
  return { kind: 'forward', legs: gemeinden.map((gemeinde) => ({ target, gemeinde })) };
}

/** Land of a bundesland (1–2 digits), bezirk (3), kreis (5) or AGS (8) code. */
function landOfCode(code: string): LandCode | undefined {
  if (!/^[0-9]{1,8}$/.test(code)) return undefined;
  const land = code.length <= 2 ? code.padStart(2, '0') : code.slice(0, 2);
  return isLandCode(land) ? land : undefined;
}
