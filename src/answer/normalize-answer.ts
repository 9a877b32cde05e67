import { XmlElement, type XmlDocument } from 'libxml2-wasm';
import {
  isRueckweisungCode, LIST_CAP, RejectedMessageError, RUECKWEISUNG, TechnicalFailureError, type RueckweisungCode, type TechnicalFailure,
} from '../errors.js';
import type { VerifiedMessage } from '../security/hop-security.js';
import type { RegisterReply } from './register-reply.js';
import { readEnvelope, type Envelope } from '../soap/read-envelope.js';
import { ROOT } from '../xmeld/namespaces.js';
import { NS } from '../xml/namespaces.js';
import { releaseOfNamespace, type Release } from '../xmeld/releases.js';
import { translateRelease } from '../xmeld/translate/translate-release.js';
import { messageKind } from '../xmeld/message-kind.js';
import type { MessageValidator } from '../xml/message-validator.js';
import { parseHardened, type ParseLimits } from '../xml/parse-hardened.js';
import { selfContainedXml } from '../xml/self-contained.js';
import { nsOf, textAt, textsAt } from '../xmeld/xpath-read.js';
import type { Outcome, Rejection } from './outcome.js';

export interface NormalizeContext {
  /** The message the caller sent and the register answers: '1330' → 1331, '1332' → 1333. */
  answerNumber: '1331' | '1333';
  /** nachrichtenUUID of the forwarded query: the answer's ursprungsnachricht must name it. */
  queryUuid: string;
  /** The release the query was forwarded in: the register answers in it. */
  sentRelease: Release;
  /** The caller's release: the persons are handed on in it (translated where they differ). */
  callerRelease: Release;
  validator: MessageValidator;
  limits: ParseLimits;
  /** Verifies the hop's signature and returns the element that was signed. */
  verify: (raw: Buffer, envelope: Envelope) => Promise<VerifiedMessage>;
}

const FREITEXT_MAX = 500;

/**
 * Contract §7: whatever the register did, one Outcome. Any doubt about the answer — not
 * well-formed, unsigned, not schema-valid, not ours, breaking the XMeld rules — is a technical
 * failure (rueckweisung 16 for the caller), never a guess.
 */
export async function normalizeAnswer(reply: RegisterReply, ctx: NormalizeContext): Promise<Outcome> {
  let doc: XmlDocument;
  try {
    doc = parseHardened(reply.body, ctx.limits);
  } catch {
    return technical(reply.status >= 400 ? 'fault' : 'malformed');
  }
  try {
    let env: Envelope;
    try {
      env = readEnvelope(doc);
    } catch {
      return technical('malformed');
    }
    if (isFault(env.message)) return technical(carriesReturnToSender(env.message) ? 'returnToSender' : 'fault');
    if (reply.status !== 200) return technical('fault');
    let verified: VerifiedMessage;
    try {
      verified = await ctx.verify(reply.body, env);
    } catch (e) {
      return technical(e instanceof TechnicalFailureError ? e.failure : 'signature');
    }
    try {
      return readVerifiedAnswer(verified.message, ctx);
    } finally {
      verified.release();
    }
  } finally {
    doc.dispose();
  }
}

/** The signed answer: right message, schema-valid, answering our query, within the rules. */
function readVerifiedAnswer(message: XmlElement, ctx: NormalizeContext): Outcome {
  const release = releaseOfNamespace(message.namespaceUri);
  if (release !== undefined && message.name === ROOT['0910']) return technical('returnToSender');
  // An answer in another release than the query it answers is not an answer to it.
  if (release !== ctx.sentRelease) return technical('rules');
  try {
    messageKind(message, [ctx.answerNumber]);
  } catch (e) {
    return technical(e instanceof RejectedMessageError ? 'rules' : 'internal');
  }
  if (ctx.validator.verdict(message) !== 'valid') return technical('schema');
  if (textAt(message, 'x:ursprungsnachricht/nachrichtenUUID') !== ctx.queryUuid) return technical('correlation');
  return readOutcome(message, ctx);
}

function technical(failure: TechnicalFailure): Outcome {
  return { kind: 'technical', failure };
}

function isFault(el: XmlElement): boolean {
  return el.name === 'Fault' && (el.namespaceUri === NS.soap11 || el.namespaceUri === NS.soap12);
}

function carriesReturnToSender(fault: XmlElement): boolean {
  return fault.find(`.//*[local-name()='${ROOT['0910']}']`).some((n) => n instanceof XmlElement && releaseOfNamespace(n.namespaceUri) !== undefined);
}

function readOutcome(message: XmlElement, ctx: NormalizeContext): Outcome {
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
function handedOn(p: XmlElement, ctx: NormalizeContext): string {
  for (const ext of p.find('.//x:landesspezifischeErweiterungen', nsOf(p))) ext.remove();
  if (ctx.sentRelease === ctx.callerRelease) return selfContainedXml(p);
  return translateRelease(p, {
    message: ctx.answerNumber, from: ctx.sentRelease, to: ctx.callerRelease, path: 'antwortSuchanfrage/auskunft/person',
  }).xml;
}
