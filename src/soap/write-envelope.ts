import { escapeText } from '../xml/escape.js';
import { NS } from '../xml/namespaces.js';
import { SOAP_NS, type SoapVersion } from './soap-version.js';

/** The id the gw:vorgang header carries, so a signature can reference it. */
export const VORGANG_ELEMENT_ID = 'gw-vorgang';

export interface EnvelopeParts {
  version: SoapVersion;
  /** The one element of the Body (an XMeld message or a Fault). */
  body: string;
  vorgangsnummer?: string;
}

/** Wraps a message in a SOAP envelope; the security step adds wsse:Security afterwards. */
export function writeEnvelope(p: EnvelopeParts): string {
  const header = p.vorgangsnummer === undefined
    ? '<soap:Header/>'
    : `<soap:Header><gw:vorgang xmlns:gw="${NS.gw}" xmlns:wsu="${NS.wsu}" wsu:Id="${VORGANG_ELEMENT_ID}">`
      + `<gw:vorgangsnummer>${escapeText(p.vorgangsnummer)}</gw:vorgangsnummer></gw:vorgang></soap:Header>`;
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP_NS[p.version]}">`
    + header + `<soap:Body>${p.body}</soap:Body></soap:Envelope>`;
}

/**
 * A message file's content as it can stand inside a SOAP Body: without byte order mark, XML
 * declaration and the comments before the root (the KoSIT reference messages carry some).
 */
export function bareMessage(xml: string): string {
  return xml.replace(/^\uFEFF/, '').replace(/^<\?xml[^?]*\?>\s*/, '').replace(/^(\s*<!--[\s\S]*?-->)+\s*/, '');
}
