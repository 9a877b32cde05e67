import type { XmlElement } from 'libxml2-wasm';
import { RejectedMessageError } from '../errors.js';
import { messageNumberOf, type MessageNumber } from './namespaces.js';
import { RELEASES, RELEASE_FACTS, releaseOfNamespace, type Release } from './releases.js';

const XMELD_NS_FAMILY = 'http://www.osci.de/xmeld';

/** The V000 text: which releases the gateway speaks. */
export const V000_SUPPORTED = `XMeld-Version nicht unterstützt; unterstützt: ${RELEASES.join(', ')}`;

/**
 * The XMeld release of a message root: by its namespace, checked against its fixed `version`
 * attribute. Another XMeld release (or a version that contradicts the namespace) is V000,
 * before schema validation; something that is not XMeld at all is X001.
 */
export function releaseOf(el: XmlElement): Release {
  const ns = el.namespaceUri;
  const release = releaseOfNamespace(ns);
  if (release === undefined) {
    if (ns.startsWith(XMELD_NS_FAMILY)) throw new RejectedMessageError('V000', V000_SUPPORTED);
    throw new RejectedMessageError('X001', 'Keine XMeld-Nachricht');
  }
  const version = el.attr('version')?.value;
  if (version !== undefined && version !== RELEASE_FACTS[release].version) throw new RejectedMessageError('V000', V000_SUPPORTED);
  return release;
}

/** Which XMeld message an element is (of the accepted ones), in which release. */
export function messageKind(el: XmlElement, accepted: readonly MessageNumber[]): MessageNumber {
  releaseOf(el);
  const number = messageNumberOf(el.name);
  if (number === undefined || !accepted.includes(number)) {
    throw new RejectedMessageError('X001', 'Nachrichtentyp wird hier nicht angenommen');
  }
  return number;
}
