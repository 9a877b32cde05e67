import { XmlElement } from 'libxml2-wasm';
import { isRueckweisungCode, LIST_CAP, RUECKWEISUNG, type RueckweisungCode, type TechnicalFailure } from '../errors.js';
import type { Release } from '../xmeld/releases.js';
import { translateRelease } from '../xmeld/translate/translate-release.js';
import { selfContainedXml } from '../xml/self-contained.js';
import { nsOf, textAt, textsAt } from '../xmeld/xpath-read.js';
import type { Outcome, Rejection } from './outcome.js';

export interface OutcomeRuleContext {
  /** The answer expected: '1331' for a 1330, '1333' for a 1332. */
  answerNumber: '1331' | '1333';
  /** The release the query was forwarded in, which the answer is written in. */
  sentRelease: Release;
  /** The caller's release: the persons are handed on in it (translated where they differ). */
  callerRelease: Release;
}

const FREITEXT_MAX = 500;

/**
 * Contract §7 as a pure rule: a register's answer that has passed verification (signed, the
 * expected message in the expected release, schema-valid, answering our query) → one Outcome.
 * Every dialect of "not found or blocked" becomes the neutral answer; whatever breaks the
 * XMeld rules is a technical failure ('rules'), never a guess. No I/O, no verification: the
 * caller owns `message` (vendor extensions are removed from its persons in place).
 */
export function outcomeOfAnswer(message: XmlElement, ctx: OutcomeRuleContext): Outcome {
  const { answerNumber } = ctx;
  const ns = nsOf(message);
  const personXml = (p: XmlElement): string => handedOn(p, ctx);
  const rejections = message.find('x:antwortSuchanfrage/x:rueckweisung', ns);
  if (rejections.length > 0) {
    const reasons: Rejection[] = [];
    for (const r of rejections) {
      const code = textAt(r, 'x:grundDerRueckweisung/code');
      if (!isRueckweisungCode(code)) return technical('rules');
      reasons.push(rejection(code, textAt(r, 'x:freitext')));
    }
    return { kind: 'rejected', reasons };
  }
  const status = textAt(message, 'x:antwortSuchanfrage/x:auskunft/x:ergebnisstatus/code');
  const persons = message.find('x:antwortSuchanfrage/x:auskunft/x:person', ns).filter((p) => p instanceof XmlElement);
  switch (status) {
    case '03':
      // Neutral whatever came with it: a block must never be told apart from a miss.
      return { kind: 'neutral' };
    case '01':
      if (persons.length === 0) return { kind: 'neutral' }; // empty result: a dialect of "not found"
      if (persons.length !== 1 || answerNumber !== '1331') return technical('rules');
      return { kind: 'hit', persons: [personXml(persons[0] as XmlElement)] };
    case '02':
      if (persons.length === 0) return { kind: 'neutral' };
      if (answerNumber !== '1331' || !persons.every(hasIdentifikationsmerkmal)) return technical('rules');
      if (persons.length > LIST_CAP) return { kind: 'rejected', reasons: [{ code: RUECKWEISUNG.trefferlisteZuGross }] };
      return { kind: 'list', persons: persons.map((p) => personXml(p as XmlElement)) };
    case '04':
      if (answerNumber !== '1333') return technical('rules');
      if (persons.length === 0) return { kind: 'neutral' };
      if (persons.length > LIST_CAP) return { kind: 'rejected', reasons: [{ code: RUECKWEISUNG.ergebnislisteZuGross }] };
      if (persons.length > 1 && !persons.every(hasIdentifikationsmerkmal)) return technical('rules');
      return { kind: 'resultList', persons: persons.map((p) => personXml(p as XmlElement)) };
    default:
      return technical('rules');
  }
}

export function technical(failure: TechnicalFailure): Outcome {
  return { kind: 'technical', failure };
}

/**
 * Register freitext is passed on only for 17 (other business error), where it is the message;
 * for 16 the caller gets the gateway's own class text, never the register's internals.
 */
function rejection(code: RueckweisungCode, freitext: string | undefined): Rejection {
  if (code === RUECKWEISUNG.sonstigerFachlicherFehler && freitext !== undefined) return { code, freitext: freitext.slice(0, FREITEXT_MAX) };
  if (code === RUECKWEISUNG.technischerFehler) return { code, freitext: 'Technischer Fehler beim Register' };
  return { code };
}

function hasIdentifikationsmerkmal(p: unknown): boolean {
  return p instanceof XmlElement && textsAt(p, 'x:identifikationsmerkmal').length === 1;
}

/**
 * A person as standalone XML in the caller's release, vendor extensions removed. What the
 * caller's release cannot carry (a former sex entry for a 25.11a caller) is dropped by the
 * translation, never moved elsewhere.
 */
function handedOn(p: XmlElement, ctx: OutcomeRuleContext): string {
  for (const ext of p.find('.//x:landesspezifischeErweiterungen', nsOf(p))) ext.remove();
  if (ctx.sentRelease === ctx.callerRelease) return selfContainedXml(p);
  return translateRelease(p, {
    message: ctx.answerNumber, from: ctx.sentRelease, to: ctx.callerRelease, path: 'antwortSuchanfrage/auskunft/person',
  }).xml;
}
