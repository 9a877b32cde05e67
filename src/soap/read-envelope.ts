import { XmlElement, XmlText, XmlCData, type XmlDocument, type XmlTreeNode } from 'libxml2-wasm';
import { RejectedMessageError } from '../errors.js';
import { NS } from '../xml/namespaces.js';
import { soapVersionOfNamespace, type SoapVersion } from './soap-version.js';

export interface Envelope {
  version: SoapVersion;
  header: XmlElement | undefined;
  body: XmlElement;
  /** The single element of the Body. */
  message: XmlElement;
  /** From the gateway's own header, where present (answers of registers echo it). */
  vorgangsnummer: string | undefined;
}

/**
 * Reads the SOAP structure strictly: one Envelope, at most one Header, exactly one Body holding
 * exactly one element. Anything else is refused — a second Body is how wrapping attacks start.
 */
export function readEnvelope(doc: XmlDocument): Envelope {
  const root = doc.root;
  const version = root.name === 'Envelope' ? soapVersionOfNamespace(root.namespaceUri) : undefined;
  if (version === undefined) throw new RejectedMessageError('X001', 'Kein SOAP-Envelope');
  const parts = elementChildren(root, 'SOAP-Envelope');
  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const el of parts) {
    if (el.namespaceUri !== root.namespaceUri) throw new RejectedMessageError('X001', 'Unerwartetes Element im SOAP-Envelope');
    if (el.name === 'Header' && header === undefined && body === undefined) header = el;
    else if (el.name === 'Body' && body === undefined) body = el;
    else throw new RejectedMessageError('X001', 'SOAP-Envelope muss genau einen Header und einen Body haben');
  }
  if (body === undefined) throw new RejectedMessageError('X001', 'SOAP-Body fehlt');
  const content = elementChildren(body, 'SOAP-Body');
  const message = content[0];
  if (content.length !== 1 || message === undefined) {
    throw new RejectedMessageError('X001', 'SOAP-Body muss genau eine Nachricht enthalten');
  }
  return { version, header, body, message, vorgangsnummer: header === undefined ? undefined : readVorgangsnummer(header) };
}

function elementChildren(parent: XmlElement, where: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n: XmlTreeNode | null = parent.firstChild; n !== null; n = n.next) {
    if (n instanceof XmlElement) out.push(n);
    else if ((n instanceof XmlText || n instanceof XmlCData) && n.content.trim() !== '') {
      throw new RejectedMessageError('X001', `Text im ${where} ist nicht erlaubt`);
    }
  }
  return out;
}

function readVorgangsnummer(header: XmlElement): string | undefined {
  const found = header.find('gw:vorgang/gw:vorgangsnummer', { gw: NS.gw });
  if (found.length > 1) throw new RejectedMessageError('X001', 'Mehrere Vorgangsnummern im SOAP-Header');
  const text = found[0]?.content.trim();
  return text === '' ? undefined : text;
}
