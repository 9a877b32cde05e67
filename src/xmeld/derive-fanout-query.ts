import { randomUUID } from 'node:crypto';
import { XmlDocument, XmlElement } from 'libxml2-wasm';
import { TechnicalFailureError } from '../errors.js';
import type { MessageValidator } from '../xml/message-validator.js';
import { selfContainedXml } from '../xml/self-contained.js';
import { nsOf } from './xpath-read.js';
import { replaceText } from './restamp-query.js';

/**
 * The message for one municipality of a fanned-out free search: the caller's 1332 with its own
 * nachrichtenUUID (each register sees a distinct message), the municipality as reader and as
 * the search area. Checked against the schema before it leaves.
 */
export function deriveFanOutQuery(messageXml: string, ags: string, validator: MessageValidator): { xml: string; uuid: string } {
  const doc = XmlDocument.fromString(messageXml);
  try {
    const root = doc.root;
    const uuid = randomUUID();
    replaceText(root, 'nachrichtenkopf.g2g/identifikation.nachricht/nachrichtenUUID', uuid);
    replaceText(root, 'nachrichtenkopf.g2g/leser/kennung', `ags:${ags}`);
    const area = root.get('x:steuerungsinformationen/x:suchbereich', nsOf(root));
    if (!(area instanceof XmlElement)) throw new TechnicalFailureError('internal');
    for (let child = area.firstChild; child !== null; child = area.firstChild) child.remove();
    const gemeinde = area.addElement('gemeindeschluessel', area.prefix === '' ? undefined : area.prefix);
    gemeinde.addElement('code').addText(ags);
    if (validator.verdict(root) !== 'valid') throw new TechnicalFailureError('internal');
    return { xml: selfContainedXml(root), uuid };
  } finally {
    doc.dispose();
  }
}
