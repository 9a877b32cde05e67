import { XmlDocument, XmlElement } from 'libxml2-wasm';
import { TechnicalFailureError } from '../errors.js';
import { selfContainedXml } from '../xml/self-contained.js';
import { nsOf } from './xpath-read.js';

const IDENTIFICATION = 'nachrichtenkopf.g2g/identifikation.nachricht';

/**
 * The same query as a new message: its own nachrichtenUUID and erstellungszeitpunkt, all else
 * unchanged. A retry towards a register is one — the register must not see a replay.
 */
export function restampQuery(messageXml: string, id: { uuid: string; createdAt: Date }): string {
  const doc = XmlDocument.fromString(messageXml);
  try {
    const root = doc.root;
    replaceText(root, `${IDENTIFICATION}/nachrichtenUUID`, id.uuid);
    replaceText(root, `${IDENTIFICATION}/erstellungszeitpunkt`, id.createdAt.toISOString());
    return selfContainedXml(root);
  } finally {
    doc.dispose();
  }
}

/** Replaces the text of the element at `path` (relative to root; `x:` is root's XMeld namespace). */
export function replaceText(root: XmlElement, path: string, text: string): void {
  const el = root.get(path, nsOf(root));
  if (!(el instanceof XmlElement)) throw new TechnicalFailureError('internal');
  for (let child = el.firstChild; child !== null; child = el.firstChild) child.remove();
  el.addText(text);
}
