/**
 * Exclusive canonicalization of one element's subtree by libxml2's own C14N code, visiting only
 * that subtree.
 *
 * libxml2's C14N always walks the whole document; a subtree is selected by a visibility callback,
 * which libxml2-wasm implements in JS and which is called for every node, attribute and namespace
 * of the document (measured: the 600-byte SignedInfo of a 2 MB message 143 ms). Exclusive C14N of
 * an element depends on nothing outside it but the namespace nodes its elements and attributes
 * point to (Exclusive XML Canonicalization §3: no inherited xml:* attributes, only visibly
 * utilized namespaces), so canonicalizing the document with the element in place of its root
 * gives the same octets. The element is put back where it was before this returns; node pointers
 * do not change, so wrappers held by callers stay valid.
 *
 * Where the equivalence does not hold by construction the caller falls back to the callback
 * path (subtreeC14nSkips): an InclusiveNamespaces PrefixList (its prefixes are looked up through
 * the ancestors), top-level comments or PIs (they would be part of the document's output), and
 * a document with a namespace URI that is not plainly absolute (libxml2 refuses to canonicalize
 * any document that contains a relative one, wherever it is: the verdict must not depend on the path).
 * test/xml/subtree-c14n.test.ts checks the two paths give the same octets on every element of the
 * vectors and fixtures.
 */
import type { XmlDocument, XmlElement, XmlOutputBufferHandler } from 'libxml2-wasm';
import { XmlC14NMode } from 'libxml2-wasm';
import {
  XmlNodeStruct,
  XmlNsStruct,
  XmlTreeCommonStruct,
  xmlAddChild,
  xmlAddNextSibling,
  xmlAddPrevSibling,
  xmlDocSetRootElement,
} from 'libxml2-wasm/lib/libxml2.mjs';

const ELEMENT_NODE = 1;

/** Pointers libxml2-wasm keeps on its wrappers (not in its typings). */
const nodePtr = (el: XmlElement): number => (el as unknown as { _nodePtr: number })._nodePtr;
const docPtr = (doc: XmlDocument): number => (doc as unknown as { _ptr: number })._ptr;

/**
 * A namespace URI libxml2's C14N certainly takes as absolute (scheme, colon, URI characters
 * without '%', '[' or ']'); anything else is left to libxml2 itself on the callback path.
 */
const PLAIN_ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]*$/;

/**
 * Per document: whether every namespace declaration is plainly absolute or empty. Computed once
 * per parsed document; the gateway itself only ever adds its own absolute namespaces to a tree.
 */
const plainNamespaces = new WeakMap<XmlDocument, boolean>();

function allNamespacesPlain(doc: XmlDocument): boolean {
  const known = plainNamespaces.get(doc);
  if (known !== undefined) return known;
  let plain = true;
  // Iterative pre-order walk over elements, reading libxml2's structs directly (no wrappers).
  let n = XmlTreeCommonStruct.children(docPtr(doc));
  walk: while (n !== 0) {
    if (XmlTreeCommonStruct.type(n) === ELEMENT_NODE) {
      for (let ns = XmlNodeStruct.nsDef(n); ns !== 0; ns = XmlNsStruct.next(ns)) {
        const href = XmlNsStruct.href(ns);
        if (href !== '' && !PLAIN_ABSOLUTE.test(href)) {
          plain = false;
          break walk;
        }
      }
      const first = XmlTreeCommonStruct.children(n);
      if (first !== 0) {
        n = first;
        continue;
      }
    }
    while (n !== 0 && XmlTreeCommonStruct.next(n) === 0) {
      const up = XmlTreeCommonStruct.parent(n);
      n = up === docPtr(doc) ? 0 : up;
    }
    if (n !== 0) n = XmlTreeCommonStruct.next(n);
  }
  plainNamespaces.set(doc, plain);
  return plain;
}

/** Why the subtree cannot take the direct path (undefined: it can). For tests and the fallback. */
export function subtreeC14nSkips(el: XmlElement, inclusivePrefixes: readonly string[] | undefined): string | undefined {
  if (inclusivePrefixes !== undefined && inclusivePrefixes.length > 0) return 'inclusive prefix list';
  const doc = el.doc;
  const d = docPtr(doc);
  const first = XmlTreeCommonStruct.children(d);
  if (first === 0 || first !== XmlTreeCommonStruct.last(d)) return 'top-level nodes beside the root';
  if (!allNamespacesPlain(doc)) return 'namespace URI not plainly absolute';
  return undefined;
}

/**
 * Exclusive C14N octets of el's subtree written to handler, the direct way; false (nothing
 * written) when subtreeC14nSkips names a reason. Comments are kept only withComments.
 */
export function exclusiveSubtreeC14n(el: XmlElement, withComments: boolean, handler: XmlOutputBufferHandler): boolean {
  if (subtreeC14nSkips(el, undefined) !== undefined) return false;
  const doc = el.doc;
  const d = docPtr(doc);
  const p = nodePtr(el);
  const options = { mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0, withComments };
  const root = XmlTreeCommonStruct.children(d);
  if (p === root) {
    doc.canonicalize(handler, options);
    return true;
  }
  const parent = XmlTreeCommonStruct.parent(p);
  const prev = XmlTreeCommonStruct.prev(p);
  const next = XmlTreeCommonStruct.next(p);
  // el becomes the root (unlinked from its parent); the old root waits unlinked.
  const oldRoot = xmlDocSetRootElement(d, p);
  try {
    doc.canonicalize(handler, options);
  } finally {
    xmlDocSetRootElement(d, oldRoot); // unlinks el again
    // Back between the same siblings. Adding an element never merges text nodes.
    if (next !== 0) xmlAddPrevSibling(next, p);
    else if (prev !== 0) xmlAddNextSibling(prev, p);
    else xmlAddChild(parent, p);
  }
  return true;
}
