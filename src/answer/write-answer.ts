import { ERGEBNISSTATUS, type Outcome, type Rejection } from './outcome.js';
import { RUECKWEISUNG, TechnicalFailureClass } from '../errors.js';
import { escapeText } from '../xml/escape.js';
import type { GatewayIdentity } from '../xmeld/gateway-identity.js';
import { LIST_ERGEBNISSTATUS, LIST_NICHTERSTELLUNG } from '../xmeld/namespaces.js';
import type { MessageIdentification, Party } from '../xmeld/query-message.js';
import type { Release } from '../xmeld/releases.js';
import { identificationXml, messageStart, newIdentification } from '../xmeld/write-header.js';

export interface WriteAnswerContext {
  /** 1331 answers a 1330, 1333 a 1332. */
  number: '1331' | '1333';
  /** The caller's query: its autor becomes the answer's leser, its id the ursprungsnachricht. */
  query: { identification: MessageIdentification; autor: Party };
  gateway: GatewayIdentity;
  now: Date;
  /** The caller's release: the answer is written in it (its persons already are). */
  release: Release;
}

/** Writes the normalized answer the caller receives. */
export function writeAnswer(outcome: Outcome, ctx: WriteAnswerContext): { xml: string; identification: MessageIdentification } {
  const identification = newIdentification(ctx.number, ctx.now);
  const { open, close } = messageStart(ctx.number, identification, ctx.query.autor, ctx.gateway, ctx.release);
  const xml = open
    + '<xmeld:antwortSuchanfrage>' + antwortXml(outcome) + '</xmeld:antwortSuchanfrage>'
    + '<xmeld:ursprungsnachricht>' + identificationXml(ctx.query.identification, ctx.release) + '</xmeld:ursprungsnachricht>'
    + close;
  return { xml, identification };
}

function antwortXml(o: Outcome): string {
  switch (o.kind) {
    case 'rejected':
      return o.reasons.map(rueckweisungXml).join('');
    case 'technical':
      return rueckweisungXml({ code: RUECKWEISUNG.technischerFehler, freitext: TechnicalFailureClass[o.failure] });
    case 'neutral':
      return auskunftXml(ERGEBNISSTATUS.neutral, []);
    default:
      return auskunftXml(ERGEBNISSTATUS[o.kind], o.persons);
  }
}

function auskunftXml(status: string, persons: readonly string[]): string {
  return `<xmeld:auskunft><xmeld:ergebnisstatus listURI="${LIST_ERGEBNISSTATUS}" listVersionID="2"><code>${status}</code></xmeld:ergebnisstatus>`
    + persons.join('') + '</xmeld:auskunft>';
}

function rueckweisungXml(r: Rejection): string {
  return `<xmeld:rueckweisung><xmeld:grundDerRueckweisung listURI="${LIST_NICHTERSTELLUNG}" listVersionID="2"><code>${r.code}</code></xmeld:grundDerRueckweisung>`
    + (r.freitext !== undefined ? `<xmeld:freitext>${escapeText(r.freitext)}</xmeld:freitext>` : '')
    + '</xmeld:rueckweisung>';
}
