import { LIST_CAP, RUECKWEISUNG } from '../errors.js';
import type { Outcome, Rejection } from './outcome.js';

/**
 * One answer for a free search that fanned out: the persons of all legs in one Ergebnisliste.
 * A leg that failed makes the whole answer a technical failure — a silently shorter list would
 * tell the caller something untrue; rejections of legs are passed on together.
 */
export function mergeFanOut(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.length === 1 && outcomes[0] !== undefined) return outcomes[0];
  const failed = outcomes.find((o) => o.kind === 'technical');
  if (failed !== undefined) return failed;
  const rejections: Rejection[] = [];
  for (const o of outcomes) if (o.kind === 'rejected') rejections.push(...o.reasons);
  if (rejections.length > 0) return { kind: 'rejected', reasons: dedupe(rejections) };
  const persons: string[] = [];
  for (const o of outcomes) if (o.kind !== 'neutral') persons.push(...(o as { persons: string[] }).persons);
  if (persons.length === 0) return { kind: 'neutral' };
  if (persons.length > LIST_CAP) return { kind: 'rejected', reasons: [{ code: RUECKWEISUNG.ergebnislisteZuGross }] };
  return { kind: 'resultList', persons };
}

function dedupe(reasons: Rejection[]): Rejection[] {
  const seen = new Map<string, Rejection>();
  for (const r of reasons) if (!seen.has(r.code)) seen.set(r.code, r);
  return [...seen.values()];
}
