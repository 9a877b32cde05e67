import type { XmlNode } from 'libxml2-wasm';
import { NS } from '../xmeld/namespaces.js';

/** Trimmed text of the first node the path selects, or undefined. */
export function textAt(node: XmlNode, xpath: string): string | undefined {
  const found = node.get(xpath, NS);
  if (found === null) return undefined;
  const t = found.content.trim();
  return t === '' ? undefined : t;
}

/** Trimmed texts of all nodes the path selects (empty ones left out). */
export function textsAt(node: XmlNode, xpath: string): string[] {
  const out: string[] = [];
  for (const n of node.find(xpath, NS)) {
    const t = n.content.trim();
    if (t !== '') out.push(t);
  }
  return out;
}

export function countAt(node: XmlNode, xpath: string): number {
  return node.find(xpath, NS).length;
}
