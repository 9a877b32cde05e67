import { XmlElement, type XmlDocument } from 'libxml2-wasm';
import { RejectedMessageError, TechnicalFailureError } from '../errors.js';
import type { VerifiedMessage } from '../security/hop-security.js';
import type { RegisterReply } from './register-reply.js';
import { readEnvelope, type Envelope } from '../soap/read-envelope.js';
import { ROOT } from '../xmeld/namespaces.js';
import { NS } from '../xml/namespaces.js';
import { releaseOfNamespace, type Release } from '../xmeld/releases.js';
import { messageKind } from '../xmeld/message-kind.js';
import type { MessageValidator } from '../xml/message-validator.js';
import { parseHardened, type ParseLimits } from '../xml/parse-hardened.js';
import { textAt } from '../xmeld/xpath-read.js';
import { outcomeOfAnswer, technical } from './answer-outcome.js';
import type { Outcome } from './outcome.js';

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

/**
 * Contract §7: whatever the register did, one Outcome. This is the verification — well-formed,
 * not a fault, signed, the expected message and release, schema-valid, answering our query —
 * each doubt a technical failure (rueckweisung 16 for the caller); what passes is read by the
 * pure rule (answer-outcome.ts).
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
  return outcomeOfAnswer(message, ctx);
}

function isFault(el: XmlElement): boolean {
  return el.name === 'Fault' && (el.namespaceUri === NS.soap11 || el.namespaceUri === NS.soap12);
}

function carriesReturnToSender(fault: XmlElement): boolean {
  return fault.find(`.//*[local-name()='${ROOT['0910']}']`).some((n) => n instanceof XmlElement && releaseOfNamespace(n.namespaceUri) !== undefined);
}
