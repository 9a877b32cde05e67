import { XmlDocument, XmlElement } from 'libxml2-wasm';

const BASE_NS = {
  x: 'http://www.osci.de/xmeld2511a',
  gw: 'urn:xmeld-gateway:1',
  s11: 'http://schemas.xmlsoap.org/soap/envelope/',
  s12: 'http://www.w3.org/2003/05/soap-envelope',
};

export interface AnswerFacts {
  soapVersion: '1.1' | '1.2' | undefined;
  /** The XMeld namespace the answer is written in. */
  xmeldNamespace?: string;
  faultCode?: string;
  rts?: string;
  messageRoot?: string;
  ergebnisstatus?: string;
  rueckweisung: string[];
  freitexte: string[];
  persons: number;
  identifikationsmerkmale: string[];
  ursprungsUuid?: string;
  vorgangsnummer?: string;
  leserKennung?: string;
}

/** Reads an answer envelope namespace-correctly (tests assert on this, not on regexes). */
export function answerFacts(body: string): AnswerFacts {
  const doc = XmlDocument.fromString(body);
  try {
    const root = doc.root;
    // The answer is in the caller's release: read it in the namespace it carries.
    const first = doc.get("//*[starts-with(namespace-uri(), 'http://www.osci.de/xmeld')]");
    const NS = { ...BASE_NS, ...(first instanceof XmlElement ? { x: first.namespaceUri } : {}) };
    const soapVersion = root.namespaceUri === NS.s11 ? '1.1' : root.namespaceUri === NS.s12 ? '1.2' : undefined;
    const text = (xp: string): string | undefined => {
      const n = doc.get(xp, NS);
      return n === null ? undefined : n.content.trim();
    };
    const texts = (xp: string): string[] => doc.find(xp, NS).map((n) => n.content.trim());
    const msg = doc.get('/*/*[local-name()="Body"]/*', NS);
    const m = '/*/*[local-name()="Body"]/*';
    return {
      soapVersion,
      ...(first instanceof XmlElement ? { xmeldNamespace: first.namespaceUri } : {}),
      faultCode: text('//s11:Fault/faultcode') ?? text('//s12:Fault/s12:Code/s12:Value'),
      rts: text('//x:administration.returntosender.0910/x:rts.container/x:begruendung/x:grund/code'),
      messageRoot: msg instanceof XmlElement ? msg.name : undefined,
      ergebnisstatus: text(`${m}/x:antwortSuchanfrage/x:auskunft/x:ergebnisstatus/code`),
      rueckweisung: texts(`${m}/x:antwortSuchanfrage/x:rueckweisung/x:grundDerRueckweisung/code`),
      freitexte: texts(`${m}/x:antwortSuchanfrage/x:rueckweisung/x:freitext`),
      persons: doc.find(`${m}/x:antwortSuchanfrage/x:auskunft/x:person`, NS).length,
      identifikationsmerkmale: texts(`${m}/x:antwortSuchanfrage/x:auskunft/x:person/x:identifikationsmerkmal`),
      ursprungsUuid: text(`${m}/x:ursprungsnachricht/nachrichtenUUID`),
      vorgangsnummer: text('/*/*[local-name()="Header"]/gw:vorgang/gw:vorgangsnummer'),
      leserKennung: text(`${m}/nachrichtenkopf.g2g/leser/kennung`),
    };
  } finally {
    doc.dispose();
  }
}
