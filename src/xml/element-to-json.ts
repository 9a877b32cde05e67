import { XmlElement, XmlText, XmlCData, type XmlTreeNode } from 'libxml2-wasm';

/**
 * A plain structure of an element's content: children by local name (repeated names become
 * arrays), leaves as trimmed text. Attributes are left out — code list metadata is not needed
 * where this is used (the protocol's record of a search profile).
 */
/** An element as JSON: text leaves, repeated children as arrays. */
export type JsonTree = string | { [name: string]: JsonTree | JsonTree[] };

export function elementToJson(el: XmlElement): JsonTree {
  const out: { [name: string]: JsonTree | JsonTree[] } = {};
  let text = '';
  let hasChildElements = false;
  for (let n: XmlTreeNode | null = el.firstChild; n !== null; n = n.next) {
    if (n instanceof XmlElement) {
      hasChildElements = true;
      const value = elementToJson(n);
      const prev = out[n.name];
      if (prev === undefined) out[n.name] = value;
      else if (Array.isArray(prev)) prev.push(value);
      else out[n.name] = [prev, value];
    } else if (n instanceof XmlText || n instanceof XmlCData) {
      text += n.content;
    }
  }
  return hasChildElements ? out : text.trim();
}
