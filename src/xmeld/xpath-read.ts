import { XmlElement, XmlXPath, type XmlNode } from 'libxml2-wasm';
import { NS } from '../xml/namespaces.js';
import { RELEASE_FACTS, releaseOfNamespace } from './releases.js';

const DEFAULT_NS = { x: RELEASE_FACTS['25.11a'].namespace, gw: NS.gw };
const NS_BY_RELEASE = new Map(Object.values(RELEASE_FACTS).map((f) => [f.namespace, { x: f.namespace, gw: NS.gw }]));

/**
 * The prefix map for XPath below `node`: `x` is the XMeld namespace of the release the node's
 * message is in (the nearest element in an XMeld namespace, itself or an ancestor), so one
 * reader serves every release.
 */
export function nsOf(node: XmlNode): { x: string; gw: string } {
  for (let n: XmlNode | null = node; n instanceof XmlElement; n = n.parent) {
    if (releaseOfNamespace(n.namespaceUri) !== undefined) return NS_BY_RELEASE.get(n.namespaceUri) ?? DEFAULT_NS;
  }
  return DEFAULT_NS;
}

/**
 * Compiled once per path and release: libxml2-wasm compiles a string path on every call (and
 * the readers ask the same few dozen paths of every message). The paths are the code's own
 * constants, so the cache stays small; the bound is a guard, not a working limit.
 */
const compiledPaths = new Map<string, XmlXPath>();
const MAX_COMPILED = 1024;

function compiled(node: XmlNode, xpath: string): XmlXPath {
  const ns = nsOf(node);
  const key = `${ns.x}\n${xpath}`;
  let c = compiledPaths.get(key);
  if (c === undefined) {
    if (compiledPaths.size >= MAX_COMPILED) {
      for (const old of compiledPaths.values()) old.dispose();
      compiledPaths.clear();
    }
    c = XmlXPath.compile(xpath, ns);
    compiledPaths.set(key, c);
  }
  return c;
}

/** Trimmed text of the first node the path selects, or undefined. */
export function textAt(node: XmlNode, xpath: string): string | undefined {
  const found = node.get(compiled(node, xpath));
  if (found === null) return undefined;
  const t = found.content.trim();
  return t === '' ? undefined : t;
}

/** Trimmed texts of all nodes the path selects (empty ones left out). */
export function textsAt(node: XmlNode, xpath: string): string[] {
  const out: string[] = [];
  for (const n of node.find(compiled(node, xpath))) {
    const t = n.content.trim();
    if (t !== '') out.push(t);
  }
  return out;
}

export function countAt(node: XmlNode, xpath: string): number {
  return node.find(compiled(node, xpath)).length;
}
