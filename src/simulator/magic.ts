/**
 * Magic surnames: a search for one of these makes any simulated register misbehave in a
 * defined way, whatever the population holds. Matched case-insensitively on the nachname.
 */
import { isRueckweisungCode, type RueckweisungCode } from '../errors.js';
import { normalizeName } from './match.js';

export type Magic =
  | { kind: 'rueckweisung'; code: RueckweisungCode }
  | { kind: 'slow' }
  | { kind: 'garbage' }
  | { kind: 'fault' }
  | { kind: 'wrong-correlation' }
  | { kind: 'return-to-sender' }
  | { kind: 'double-hit' };

/** Normalized surname → behaviour (the Rueckweisung<NN> family is matched separately). */
export const MAGIC_NAMES: Readonly<Record<string, Exclude<Magic['kind'], 'rueckweisung'>>> = {
  langsam: 'slow',
  kaputt: 'garbage',
  fehler: 'fault',
  falschkorrelation: 'wrong-correlation',
  ruecksender: 'return-to-sender',
  zweitreffer: 'double-hit',
};

const RUECKWEISUNG = /^rueckweisung(\d\d)$/;

/** `Rueckweisung01` … `Rueckweisung24` reject with that code; the other names as in MAGIC_NAMES. */
export function magicFor(nachname: string): Magic | undefined {
  const name = normalizeName(nachname);
  const rw = RUECKWEISUNG.exec(name);
  if (rw?.[1] !== undefined && isRueckweisungCode(rw[1])) return { kind: 'rueckweisung', code: rw[1] };
  const kind = MAGIC_NAMES[name];
  return kind === undefined ? undefined : { kind };
}
