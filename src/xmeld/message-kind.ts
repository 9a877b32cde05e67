import type { XmlElement } from 'libxml2-wasm';
import { RejectedMessageError } from '../errors.js';
import { messageNumberOf, XMELD_NS, XMELD_VERSION, type MessageNumber } from './namespaces.js';

const XMELD_NS_FAMILY = 'http://www.osci.de/xmeld';

/**
 * Which XMeld message an element is, checked before schema validation so that another XMeld
 * version is answered with V000 rather than a schema error.
 */
export function messageKind(el: XmlElement, accepted: readonly MessageNumber[]): MessageNumber {
  const ns = el.namespaceUri;
  if (ns !== XMELD_NS) {
    if (ns.startsWith(XMELD_NS_FAMILY)) throw new RejectedMessageError('V000');
    throw new RejectedMessageError('X001', 'Keine XMeld-Nachricht');
  }
  const version = el.attr('version')?.value;
  if (version !== undefined && version !== XMELD_VERSION) throw new RejectedMessageError('V000');
  const number = messageNumberOf(el.name);
  if (number === undefined || !accepted.includes(number)) {
    throw new RejectedMessageError('X001', 'Nachrichtentyp wird hier nicht angenommen');
  }
  return number;
}
