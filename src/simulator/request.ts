/**
 * Reads what a simulated register needs from an incoming SOAP request: SOAP version, the
 * gateway's `gw:vorgang` header (copied verbatim for the echo), and the search of the XMeld
 * 1330/1332 in the Body. Parsing is libxml2 with no DTD: a DOCTYPE is refused up front, entities
 * are never expanded, nothing is loaded from the network.
 */
import { ParseOption, XmlC14NMode, XmlDocument, type XmlNode } from 'libxml2-wasm';
import { NS as WIRE } from '../xml/namespaces.js';
import { RELEASES, RELEASE_FACTS, releaseOfNamespace, type Release } from '../xmeld/releases.js';

export type SoapVersion = '1.1' | '1.2';

export interface Identifikation {
  nachrichtenUUID: string;
  nachrichtentyp: string;
  erstellungszeitpunkt: string;
}

export interface Erreichbarkeit {
  kanal: string;
  kennung: string;
  zusatz?: string;
}

export interface SimulatedParty {
  kennung: string;
  name?: string;
  erreichbarkeit: Erreichbarkeit[];
}

export interface NameCriteria {
  nachname?: string;
  vornamen?: string;
}

export type Suchprofil1330 =
  | { kind: 'auswahldaten'; nachname: string; vornamen: string; ags: string; geburtsdatum?: string }
  | { kind: 'identifikationsmerkmal'; token: string };

export type SimulatedSuchbereich = { art: 'bundesland' | 'bezirk' | 'kreis' | 'gemeindeschluessel'; code: string };

interface MessageCommon {
  identifikation: Identifikation;
  leser: SimulatedParty;
  autor: SimulatedParty;
}

export interface Personensuche1330 extends MessageCommon {
  kind: '1330';
  suchprofil: Suchprofil1330;
}

export interface FreieSuche1332 extends MessageCommon {
  kind: '1332';
  auswahldaten: NameCriteria & { geburtsdatum?: string; geschlecht?: string };
  suchbereich: SimulatedSuchbereich;
}

export type XmeldQuery = Personensuche1330 | FreieSuche1332;

export interface ParsedRequest {
  soapVersion: SoapVersion;
  /** The `gw:vorgang` header element, serialized self-contained (exclusive C14N), if present. */
  vorgangXml?: string;
  query: XmeldQuery;
  /** The XMeld release the request is in: the register answers in it. */
  release: Release;
}

/**
 * A request the register cannot process. `rts` is the return-to-sender reason; `soapVersion`
 * and `identifikation`/`autor` are filled as far as parsing got, so the fault can carry a 0910.
 */
export class RequestRejected extends Error {
  override readonly name = 'RequestRejected';
  constructor(
    readonly rts: 'X000' | 'X001' | 'S999' | 'V000',
    readonly reason: string,
    readonly soapVersion?: SoapVersion,
    readonly partial?: { identifikation: Identifikation; autor: SimulatedParty },
    /** The release the request's namespace names, where it names one this register knows. */
    readonly release?: Release,
  ) {
    super(`${rts}: ${reason}`);
  }
}

/** The prefix map of one release (`x`: its XMeld namespace); set per request in parseRequest. */
let NS = nsFor('25.11a');

function nsFor(release: Release): Record<string, string> {
  return { x: RELEASE_FACTS[release].namespace, gw: WIRE.gw, s11: WIRE.soap11, s12: WIRE.soap12 };
}

/** Refuse any DTD before libxml2 sees it: no internal subset, no entity declarations, no risk. */
function containsDoctype(raw: Buffer): boolean {
  return raw.includes('<!DOCTYPE') || raw.includes('<!doctype');
}

function textAt(node: XmlNode, xpath: string): string | undefined {
  const found = node.get(xpath, NS);
  if (!found) return undefined;
  const value = found.content.trim();
  return value === '' ? undefined : value;
}

function requiredText(node: XmlNode, xpath: string, what: string, ctx: Ctx): string {
  const value = textAt(node, xpath);
  if (value === undefined) throw ctx.reject('X001', `${what} fehlt`);
  return value;
}

interface Ctx {
  soapVersion?: SoapVersion;
  partial?: { identifikation: Identifikation; autor: SimulatedParty };
  release?: Release;
  reject(rts: RequestRejected['rts'], reason: string): RequestRejected;
}

function readParty(node: XmlNode | null): SimulatedParty | undefined {
  if (!node) return undefined;
  const kennung = textAt(node, 'kennung');
  if (!kennung) return undefined;
  const name = textAt(node, 'name');
  const erreichbarkeit = node.find('erreichbarkeit', NS).map((e) => {
    const zusatz = textAt(e, 'zusatz');
    return {
      kanal: textAt(e, 'kanal/code') ?? '01',
      kennung: textAt(e, 'kennung') ?? '',
      ...(zusatz ? { zusatz } : {}),
    };
  });
  return { kennung, ...(name ? { name } : {}), erreichbarkeit };
}

function readIdentifikation(message: XmlNode, ctx: Ctx): Identifikation {
  const base = 'nachrichtenkopf.g2g/identifikation.nachricht';
  return {
    nachrichtenUUID: requiredText(message, `${base}/nachrichtenUUID`, 'nachrichtenUUID', ctx),
    nachrichtentyp: requiredText(message, `${base}/nachrichtentyp/code`, 'nachrichtentyp', ctx),
    erstellungszeitpunkt: requiredText(message, `${base}/erstellungszeitpunkt`, 'erstellungszeitpunkt', ctx),
  };
}

function read1330(message: XmlNode, common: MessageCommon, ctx: Ctx): Personensuche1330 {
  const token = textAt(message, 'x:suchprofil/x:identifikationsmerkmal');
  if (token !== undefined) {
    return { kind: '1330', ...common, suchprofil: { kind: 'identifikationsmerkmal', token } };
  }
  const a = message.get('x:suchprofil/x:auswahldaten', NS);
  if (!a) throw ctx.reject('X001', 'suchprofil fehlt');
  const nv = 'x:name/x:name/x:nachnameUndVornamen';
  const geburtsdatum = textAt(a, 'x:geburtsdatum/x:geburtsdatum/teilbekanntesDatum/jahrMonatTag');
  return {
    kind: '1330',
    ...common,
    suchprofil: {
      kind: 'auswahldaten',
      nachname: requiredText(a, `${nv}/x:nachname/name`, 'nachname', ctx),
      vornamen: requiredText(a, `${nv}/x:vornamen/name`, 'vornamen', ctx),
      ags: requiredText(a, 'x:anschrift/gemeindeschluessel/code', 'gemeindeschluessel', ctx),
      ...(geburtsdatum ? { geburtsdatum } : {}),
    },
  };
}

function read1332(message: XmlNode, common: MessageCommon, ctx: Ctx): FreieSuche1332 {
  const a = message.get('x:suchprofil/x:auswahldaten', NS);
  if (!a) throw ctx.reject('X001', 'suchprofil fehlt');
  const nv = 'x:name/x:name/x:nachnameUndVornamen';
  const nachname = textAt(a, `${nv}/x:nachname/name`);
  const vornamen = textAt(a, `${nv}/x:vornamen/name`);
  const geburtsdatum = textAt(
    a,
    'x:geburtsdaten/x:geburtstag/x:geburtsdatum/x:geburtsdatum/teilbekanntesDatum/jahrMonatTag',
  );
  // 26.11 (SBGG): geschlecht holds the entry and whether only the current one counts.
  const geschlecht = textAt(a, 'x:geschlecht/code') ?? textAt(a, 'x:geschlecht/x:geschlechtseintrag/code');
  const bereich = message.get('x:steuerungsinformationen/x:suchbereich/*', NS);
  const art = bereich && 'name' in bereich ? String(bereich.name) : '';
  const code = bereich ? textAt(bereich, 'code') : undefined;
  if (!code || !['bundesland', 'bezirk', 'kreis', 'gemeindeschluessel'].includes(art)) {
    throw ctx.reject('X001', 'suchbereich fehlt');
  }
  return {
    kind: '1332',
    ...common,
    auswahldaten: {
      ...(nachname ? { nachname } : {}),
      ...(vornamen ? { vornamen } : {}),
      ...(geburtsdatum ? { geburtsdatum } : {}),
      ...(geschlecht ? { geschlecht } : {}),
    },
    suchbereich: { art: art as SimulatedSuchbereich['art'], code },
  };
}

/**
 * Parses a SOAP request in one of the releases the register takes (`accepts`, default every
 * release). Throws RequestRejected for anything a register would send back.
 */
export function parseRequest(raw: Buffer, accepts: readonly Release[] = RELEASES): ParsedRequest {
  const ctx: Ctx = {
    reject(rts, reason) {
      return new RequestRejected(rts, reason, this.soapVersion, this.partial, this.release);
    },
  };
  if (containsDoctype(raw)) throw ctx.reject('X000', 'DOCTYPE ist nicht erlaubt');
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(raw, {
      option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NOERROR | ParseOption.XML_PARSE_NOWARNING,
    });
  } catch {
    throw ctx.reject('X000', 'Anfrage ist nicht wohlgeformt');
  }
  try {
    if (doc.dtd !== null) throw ctx.reject('X000', 'DOCTYPE ist nicht erlaubt');
    const root = doc.root;
    if (root.name !== 'Envelope') throw ctx.reject('S999', 'kein SOAP-Envelope');
    if (root.namespaceUri === WIRE.soap11) ctx.soapVersion = '1.1';
    else if (root.namespaceUri === WIRE.soap12) ctx.soapVersion = '1.2';
    else throw ctx.reject('S999', 'unbekannte SOAP-Version');
    const p = ctx.soapVersion === '1.1' ? 's11' : 's12';

    const vorgang = doc.get(`/${p}:Envelope/${p}:Header/gw:vorgang`, NS);
    const vorgangXml = vorgang
      ? vorgang.canonicalizeToString({ mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0 })
      : undefined;

    const bodyChildren = doc.find(`/${p}:Envelope/${p}:Body/*`, NS);
    if (bodyChildren.length !== 1) throw ctx.reject('S999', 'Body enthält nicht genau eine Nachricht');
    const message = bodyChildren[0]!;
    const messageName = 'name' in message ? String(message.name) : '';
    const messageNs = 'namespaceUri' in message ? String(message.namespaceUri) : '';
    const release = releaseOfNamespace(messageNs);
    if (release !== undefined) ctx.release = release;
    if (release === undefined || !accepts.includes(release)) {
      throw ctx.reject('V000', `Namensraum/Version wird nicht unterstützt; unterstützt: ${accepts.join(', ')}`);
    }
    NS = nsFor(release);

    const identifikation = readIdentifikation(message, ctx);
    const autor = readParty(message.get('nachrichtenkopf.g2g/autor', NS));
    if (!autor) throw ctx.reject('X001', 'autor fehlt');
    ctx.partial = { identifikation, autor };
    const version = textAt(message, '@version');
    if (version !== RELEASE_FACTS[release].version) throw ctx.reject('V000', 'Version wird nicht unterstützt');
    const leser = readParty(message.get('nachrichtenkopf.g2g/leser', NS));
    if (!leser) throw ctx.reject('X001', 'leser fehlt');
    const common: MessageCommon = { identifikation, leser, autor };

    let query: XmeldQuery;
    if (messageName === 'datenabruf.personensuche.suchanfrage.1330') query = read1330(message, common, ctx);
    else if (messageName === 'datenabruf.freieSuche.suchanfrage.1332') query = read1332(message, common, ctx);
    else throw ctx.reject('S999', 'Nachrichtentyp wird von diesem Dienst nicht verarbeitet');
    return { soapVersion: ctx.soapVersion, ...(vorgangXml ? { vorgangXml } : {}), query, release };
  } finally {
    doc.dispose();
  }
}
