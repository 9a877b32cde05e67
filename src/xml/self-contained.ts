import type { XmlElement } from 'libxml2-wasm';

/**
 * An element as standalone XML: every namespace in scope is declared on the element itself,
 * then it is serialized as it is. Subtree canonicalization would give the same independence,
 * but libxml2-wasm walks the whole document with a JS callback per node on every call, which
 * is quadratic when called per person of a long list. Changes the element's declarations.
 */
export function selfContainedXml(el: XmlElement): string {
  const declared = el.nsDeclarations;
  for (const [prefix, uri] of Object.entries(el.namespaces)) {
    if (!(prefix in declared)) el.addNsDeclaration(uri, prefix === '' ? undefined : prefix);
  }
  return el.toString({ format: false });
}
