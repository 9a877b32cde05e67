/**
 * Hardened parsing and small tree helpers over libxml2-wasm, shared by signing and verification.
 * libxml2 is the single XML engine here: the structure checks, the id index and the
 * canonicalization all run on the same parse, so there is no parser differential between
 * "what was checked" and "what was digested".
 */
import {
  ParseOption,
  XmlC14NMode,
  XmlDocument,
  XmlElement,
  XmlText,
  XmlCData,
  type XmlOutputBufferHandler,
  type XmlTreeNode,
} from 'libxml2-wasm';
import { RejectedMessageError } from '../errors.js';
import { exclusiveSubtreeC14n } from '../xml/subtree-c14n.js';

/** No network, no external entities; DTDs are refused after parsing (see parseStrict). */
const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;

/**
 * Parses untrusted XML. Not well-formed input and any DOCTYPE are refused with X000 (SOAP
 * forbids DTDs; refusing them removes entity tricks altogether). The caller must dispose().
 */
export function parseStrict(input: string | Uint8Array): XmlDocument {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(bytes, { option: PARSE_OPTIONS });
  } catch {
    throw new RejectedMessageError('X000', 'XML nicht wohlgeformt');
  }
  if (doc.dtd !== null) {
    doc.dispose();
    throw new RejectedMessageError('X000', 'DOCTYPE nicht erlaubt');
  }
  return doc;
}

/** Runs fn with a parsed document and always frees the WASM memory. */
export function withDocument<T>(input: string | Uint8Array, fn: (doc: XmlDocument) => T): T {
  const doc = parseStrict(input);
  try {
    return fn(doc);
  } finally {
    doc.dispose();
  }
}

export function isElement(node: XmlTreeNode | null): node is XmlElement {
  return node instanceof XmlElement;
}

export function is(node: XmlTreeNode | null | undefined, ns: string, localName: string): node is XmlElement {
  return node instanceof XmlElement && node.name === localName && node.namespaceUri === ns;
}

/** Element children in document order. */
export function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = el.firstChild; n !== null; n = n.next) if (n instanceof XmlElement) out.push(n);
  return out;
}

/**
 * True if el has non-whitespace character content directly inside it (text outside child
 * elements). Profile elements such as SignedInfo must not carry stray text.
 */
export function hasStrayText(el: XmlElement): boolean {
  for (let n = el.firstChild; n !== null; n = n.next) {
    if ((n instanceof XmlText || n instanceof XmlCData) && n.content.trim() !== '') return true;
  }
  return false;
}

/**
 * Text content of a leaf element that must consist of text only: comments, elements or CDATA
 * inside (e.g. a comment inside DigestValue) make it unusable. Returns null then.
 */
export function pureText(el: XmlElement): string | null {
  let text = '';
  for (let n = el.firstChild; n !== null; n = n.next) {
    if (!(n instanceof XmlText)) return null;
    text += n.content;
  }
  return text;
}

/** Value of the attribute with this local name and namespace ('' = no namespace), or null. */
export function attrNS(el: XmlElement, localName: string, ns = ''): string | null {
  for (const a of el.attrs) {
    if (a.name === localName && a.namespaceUri === ns) return a.value;
  }
  return null;
}

/** Collects output bytes of libxml2 (c14n) without a string round trip. */
class BytesHandler implements XmlOutputBufferHandler {
  private readonly chunks: Buffer[] = [];
  write = (buf: Uint8Array): number => {
    this.chunks.push(Buffer.from(buf));
    return buf.length;
  };
  close = (): boolean => true;
  get result(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export type C14nKind = 'exclusive' | 'inclusive10' | 'inclusive11';

export interface C14nParams {
  kind: C14nKind;
  withComments: boolean;
  inclusivePrefixes?: string[];
}

function mode(kind: C14nKind): 0 | 1 | 2 {
  if (kind === 'exclusive') return XmlC14NMode.XML_C14N_EXCLUSIVE_1_0;
  if (kind === 'inclusive10') return XmlC14NMode.XML_C14N_1_0;
  return XmlC14NMode.XML_C14N_1_1;
}

/**
 * Canonical bytes of the subtree rooted at el. Exclusive C14N without a prefix list runs on the
 * subtree alone (subtree-c14n.ts); everything else through libxml2-wasm's nodeSet filter, which
 * visits the whole document.
 */
export function canonicalSubtree(el: XmlElement, p: C14nParams): Buffer {
  const h = new BytesHandler();
  if (p.kind === 'exclusive' && (p.inclusivePrefixes === undefined || p.inclusivePrefixes.length === 0) && exclusiveSubtreeC14n(el, p.withComments, h)) {
    return h.result;
  }
  return canonicalSubtreeFiltered(el, p);
}

/** The same through the whole-document walk with a visibility filter: the reference behaviour. */
export function canonicalSubtreeFiltered(el: XmlElement, p: C14nParams): Buffer {
  const h = new BytesHandler();
  el.doc.canonicalize(h, {
    nodeSet: new Set([el]),
    mode: mode(p.kind),
    withComments: p.withComments,
    ...(p.kind === 'exclusive' && p.inclusivePrefixes && p.inclusivePrefixes.length > 0
      ? { inclusiveNamespacePrefixes: p.inclusivePrefixes }
      : {}),
  });
  return h.result;
}

/** Canonical bytes of the whole document (Reference URI=""). */
export function canonicalDocument(doc: XmlDocument, p: C14nParams): Buffer {
  const h = new BytesHandler();
  doc.canonicalize(h, {
    mode: mode(p.kind),
    withComments: p.withComments,
    ...(p.kind === 'exclusive' && p.inclusivePrefixes && p.inclusivePrefixes.length > 0
      ? { inclusiveNamespacePrefixes: p.inclusivePrefixes }
      : {}),
  });
  return h.result;
}

/** True if node is el or lies inside it. */
export function isInside(node: XmlElement, ancestor: XmlElement): boolean {
  for (let n: XmlElement | null = node; n !== null; n = n.parent) {
    if (n.isSameNode(ancestor)) return true;
  }
  return false;
}
