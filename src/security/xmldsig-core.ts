/**
 * A strict XMLDSig verifier core: one ds:Signature, verified against keys the caller trusts,
 * on a document parsed once by libxml2. It returns what was signed (elements and their
 * canonical bytes) so callers process only signed content. KeyInfo is never consulted here:
 * the caller decides which key is trusted.
 *
 * Deliberately narrow: same-document references by id (or URI="" for the whole document),
 * transforms limited to [enveloped-signature]? + one canonicalization, algorithms from
 * algorithms.ts. Everything else (XPath/XSLT/base64 transforms, external URIs, HMAC, a
 * SignatureMethod with HMACOutputLength, foreign elements inside ds:Signature, comments in
 * DigestValue) is refused.
 */
import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { XmlElement, XmlXPath, type XmlDocument } from 'libxml2-wasm';
import {
  HASH_BYTES,
  c14nAlgorithm,
  digest,
  digestAlgorithm,
  keyMatches,
  rawVerify,
  signatureAlgorithm,
  type AlgorithmPolicy,
  type HashName,
} from './algorithms.js';
import { Alg } from './ns.js';
import { NS } from '../xml/namespaces.js';
import {
  attrNS,
  canonicalDocument,
  canonicalSubtree,
  childElements,
  hasStrayText,
  is,
  isInside,
  pureText,
  type C14nParams,
} from './xml-dom.js';

export type SignatureFailure =
  | 'structure'
  | 'algorithm'
  | 'reference'
  | 'duplicate-id'
  | 'digest'
  | 'signature'
  | 'key';

/** A refusal of the core. Messages are fixed texts; ids from the document never go into them. */
export class SignatureCheckError extends Error {
  override readonly name = 'SignatureCheckError';
  constructor(readonly failure: SignatureFailure, message: string) {
    super(message);
  }
}

/** Every element carrying an attribute named Id/ID/id (any namespace), by value. */
export interface IdIndex {
  byId: Map<string, XmlElement>;
  duplicates: Set<string>;
}

// Native XPath (C, one pass): the JS xpath library's //* was measured far too slow.
let idXPath: XmlXPath | undefined;

export function buildIdIndex(doc: XmlDocument): IdIndex {
  idXPath ??= XmlXPath.compile("//@*[local-name()='Id' or local-name()='ID' or local-name()='id']");
  const byId = new Map<string, XmlElement>();
  const duplicates = new Set<string>();
  for (const node of doc.find(idXPath)) {
    const owner = node.parent;
    if (owner === null) continue;
    const value = node.content;
    if (byId.has(value)) duplicates.add(value);
    else byId.set(value, owner);
  }
  return { byId, duplicates };
}

export interface CoreOptions extends AlgorithmPolicy {
  /** Keys the caller trusts; the signature must verify with one of them. */
  keys: readonly KeyObject[];
  ids: IdIndex;
  /** Accept ds:Object children (enveloping signatures). Default false. */
  allowObject?: boolean;
  /** Accept Reference URI="" (whole document). Default false. */
  allowWholeDocument?: boolean;
  /** Referenced ids must be NCNames (default true); false only rejects quotes/space/brackets. */
  strictIdSyntax?: boolean;
  /**
   * An enveloped-signature transform on an element that does not contain the signature is a
   * no-op (XMLDSig §6.6.4) instead of a refusal. Default false: generic XMLDSig binds an enveloped
   * signature to the element around it (wrapping defence). Only for profiles with detached
   * signatures whose binding is checked separately (WS-Security: Body and Timestamp by id).
   */
  envelopedOutsideIsNoOp?: boolean;
}

export interface VerifiedReference {
  uri: string;
  /** The referenced element, or null for URI="" (the whole document). */
  element: XmlElement | null;
  /** The canonical octets that were digested. */
  canonical: Buffer;
  transforms: string[];
}

export interface VerifiedSignature {
  signatureMethod: string;
  canonicalizationMethod: string;
  references: VerifiedReference[];
  /** Index into CoreOptions.keys of the key that verified. */
  keyIndex: number;
}

const NCNAME = /^[\p{L}_][\p{L}\p{N}\p{M}._\-\u00B7\u203F\u2040]*$/u;
const UNSAFE_ID = /['"\s<>&()[\]]/u;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A reference URI or algorithm for a fault text: shown only when short and printable ASCII. */
function echo(value: string): string {
  return value.length <= 100 && /^[\x21-\x7e]*$/.test(value) ? `"${value}"` : '(nicht darstellbar)';
}

function fail(failure: SignatureFailure, message: string): never {
  throw new SignatureCheckError(failure, message);
}

/** Strict base64: whitespace (line breaks in PEM style) allowed, nothing else. */
export function decodeBase64Strict(text: string): Buffer {
  const compact = text.replace(/[\s]+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    fail('structure', 'Base64-Wert fehlerhaft');
  }
  return Buffer.from(compact, 'base64');
}

function inclusivePrefixes(method: XmlElement): string[] | undefined {
  const kids = childElements(method);
  if (kids.length === 0) return undefined;
  const [inc] = kids;
  if (kids.length !== 1 || !is(inc, NS.ec, 'InclusiveNamespaces')) {
    fail('algorithm', 'unerwartetes Kindelement der Kanonisierungsmethode');
  }
  const list = attrNS(inc, 'PrefixList');
  return list === null ? [] : list.split(/\s+/).filter((p) => p.length > 0);
}

function c14nFor(method: XmlElement, policy: AlgorithmPolicy): { uri: string; params: C14nParams } {
  const uri = attrNS(method, 'Algorithm') ?? '';
  const base = c14nAlgorithm(uri, policy);
  if (base === undefined) fail('algorithm', `Kanonisierung ${echo(uri)} nicht erlaubt`);
  const prefixes = inclusivePrefixes(method);
  if (prefixes !== undefined && base.kind !== 'exclusive') {
    fail('algorithm', 'InclusiveNamespaces nur bei exklusiver Kanonisierung');
  }
  return { uri, params: { ...base, ...(prefixes ? { inclusivePrefixes: prefixes } : {}) } };
}

interface ParsedReference {
  uri: string;
  target: XmlElement | null;
  enveloped: boolean;
  c14n: C14nParams;
  transforms: string[];
  hash: HashName;
  expected: Buffer;
}

function parseReference(ref: XmlElement, signature: XmlElement, opts: CoreOptions): ParsedReference {
  if (hasStrayText(ref)) fail('structure', 'Text in Reference');
  const uri = attrNS(ref, 'URI');
  if (uri === null) fail('reference', 'Reference ohne URI');
  const kids = childElements(ref);
  let i = 0;
  let transformsEl: XmlElement | undefined;
  if (is(kids[i], NS.ds, 'Transforms')) transformsEl = kids[i++];
  const digestMethod = kids[i++];
  const digestValue = kids[i++];
  if (!is(digestMethod, NS.ds, 'DigestMethod') || !is(digestValue, NS.ds, 'DigestValue') || i !== kids.length) {
    fail('structure', `Reference ${echo(uri)}: Struktur nicht erlaubt`);
  }
  if (childElements(digestMethod).length > 0) fail('structure', `Reference ${echo(uri)}: unerwartetes Kindelement von DigestMethod`);

  // Transforms: optional enveloped-signature first, then exactly one canonicalization.
  let enveloped = false;
  let c14n: C14nParams | undefined;
  const transforms: string[] = [];
  if (transformsEl !== undefined) {
    if (hasStrayText(transformsEl)) fail('structure', `Reference ${echo(uri)}: Text in Transforms`);
    const list = childElements(transformsEl);
    if (list.length === 0) fail('structure', `Reference ${echo(uri)}: leere Transforms`);
    for (const [k, t] of list.entries()) {
      if (!is(t, NS.ds, 'Transform')) fail('structure', `Reference ${echo(uri)}: unerwartetes Element in Transforms`);
      const alg = attrNS(t, 'Algorithm') ?? '';
      transforms.push(alg);
      if (alg === Alg.envelopedSignature) {
        if (opts.allowEnvelopedTransform !== true || k !== 0 || childElements(t).length > 0) {
          fail('algorithm', `Reference ${echo(uri)}: Transformation enveloped-signature hier nicht erlaubt`);
        }
        enveloped = true;
        continue;
      }
      if (c14n !== undefined || k !== list.length - 1) fail('algorithm', `Reference ${echo(uri)}: Transformation ${echo(alg)} in dieser Kette nicht erlaubt`);
      c14n = c14nFor(t, opts).params;
    }
  }
  // Without an explicit canonicalization the node-set is serialized with inclusive C14N 1.0.
  if (c14n === undefined) {
    const base = c14nAlgorithm(Alg.c14n10, opts);
    if (base === undefined) fail('algorithm', `Reference ${echo(uri)}: implizite Kanonisierung nicht erlaubt`);
    c14n = base;
  }

  const hash = digestAlgorithm(attrNS(digestMethod, 'Algorithm') ?? '', opts);
  if (hash === undefined) fail('algorithm', `Reference ${echo(uri)}: Digest-Algorithmus ${echo(attrNS(digestMethod, 'Algorithm') ?? '')} nicht erlaubt`);
  const text = pureText(digestValue);
  if (text === null) fail('structure', `Reference ${echo(uri)}: DigestValue muss reiner Text sein`);
  const expected = decodeBase64Strict(text);
  if (expected.length !== HASH_BYTES[hash]) fail('digest', `Reference ${echo(uri)}: Digest-Länge falsch`);

  let target: XmlElement | null;
  if (uri === '') {
    if (opts.allowWholeDocument !== true) fail('reference', 'Referenz auf das ganze Dokument nicht erlaubt');
    target = null;
  } else {
    if (!uri.startsWith('#')) fail('reference', `Reference ${echo(uri)}: nur Verweise ins selbe Dokument erlaubt`);
    const id = uri.slice(1);
    const syntaxOk = opts.strictIdSyntax === false ? id.length > 0 && !UNSAFE_ID.test(id) : NCNAME.test(id);
    if (!syntaxOk) fail('reference', 'Reference: Id-Syntax nicht erlaubt');
    if (opts.ids.duplicates.has(id)) fail('duplicate-id', `Reference ${echo(uri)}: Id nicht eindeutig`);
    const el = opts.ids.byId.get(id);
    if (el === undefined) fail('reference', `Reference ${echo(uri)}: Ziel nicht gefunden`);
    target = el;
  }
  if (enveloped) {
    if (target !== null && isInside(target, signature)) fail('reference', `Reference ${echo(uri)}: enveloped-signature auf ein Element in der Signatur`);
    if (target !== null && !isInside(signature, target)) {
      // On an element that does not contain the signature the transform removes nothing (XMLDSig
      // §6.6.4); stock stacks write it on every reference (node-soap's WSSecurityCert).
      if (opts.envelopedOutsideIsNoOp !== true) fail('reference', `Reference ${echo(uri)}: enveloped-signature auf ein Element außerhalb`);
      enveloped = false;
    }
  } else if (target !== null && isInside(target, signature)) {
    // ds:Object content (enveloping) is fine; references into SignedInfo/KeyInfo are not.
    const inObject = childElements(signature).some((c) => is(c, NS.ds, 'Object') && isInside(target, c));
    if (!inObject) fail('reference', `Reference ${echo(uri)}: Verweis in die Signatur`);
  }
  return { uri, target, enveloped, c14n, transforms, hash, expected };
}

/** libxml2 refuses some inputs (e.g. relative namespace URIs, which C14N forbids): a clean refusal. */
function c14nOrFail(run: () => Buffer): Buffer {
  try {
    return run();
  } catch {
    return fail('structure', 'Kanonisierung fehlgeschlagen');
  }
}

/**
 * Verifies one ds:Signature element. Throws SignatureCheckError on any deviation.
 * Note: an enveloped-signature reference detaches (and frees) the Signature element from the
 * document after SignedInfo was processed; use a fresh parse for each such signature.
 */
export function verifySignatureElement(doc: XmlDocument, signature: XmlElement, opts: CoreOptions): VerifiedSignature {
  if (!is(signature, NS.ds, 'Signature')) fail('structure', 'kein ds:Signature');
  if (hasStrayText(signature)) fail('structure', 'Text in Signature');
  const kids = childElements(signature);
  const [signedInfo, signatureValue, ...rest] = kids;
  if (!is(signedInfo, NS.ds, 'SignedInfo') || !is(signatureValue, NS.ds, 'SignatureValue')) {
    fail('structure', 'Signature muss mit SignedInfo und SignatureValue beginnen');
  }
  let seenKeyInfo = false;
  for (const r of rest) {
    if (is(r, NS.ds, 'KeyInfo') && !seenKeyInfo) seenKeyInfo = true;
    else if (is(r, NS.ds, 'Object') && opts.allowObject === true) continue;
    else fail('structure', 'unerwartetes Element in Signature');
  }

  if (hasStrayText(signedInfo)) fail('structure', 'Text in SignedInfo');
  const siKids = childElements(signedInfo);
  const [c14nMethod, sigMethod, ...refs] = siKids;
  if (!is(c14nMethod, NS.ds, 'CanonicalizationMethod') || !is(sigMethod, NS.ds, 'SignatureMethod')) {
    fail('structure', 'SignedInfo-Struktur nicht erlaubt');
  }
  if (refs.length === 0 || !refs.every((r) => is(r, NS.ds, 'Reference'))) {
    fail('structure', 'SignedInfo darf nur References enthalten');
  }
  // HMACOutputLength or any other parameter: refused (CVE-2009-0217 class).
  if (childElements(sigMethod).length > 0) fail('algorithm', 'Parameter der Signaturmethode nicht erlaubt');
  const sigAlgUri = attrNS(sigMethod, 'Algorithm') ?? '';
  const sigAlg = signatureAlgorithm(sigAlgUri, opts);
  if (sigAlg === undefined) fail('algorithm', `Signaturalgorithmus ${echo(sigAlgUri)} nicht erlaubt`);
  const { uri: c14nUri, params: siC14n } = c14nFor(c14nMethod, opts);

  const sigText = pureText(signatureValue);
  if (sigText === null) fail('structure', 'SignatureValue muss reiner Text sein');
  const sigBytes = decodeBase64Strict(sigText);

  const parsed = refs.map((r) => parseReference(r, signature, opts));

  // 1. SignedInfo: canonicalize in place (its namespace context matters) and check the value.
  const siCanonical = c14nOrFail(() => canonicalSubtree(signedInfo, siC14n));
  let keyIndex = -1;
  for (const [k, key] of opts.keys.entries()) {
    if (keyMatches(sigAlg, key) && rawVerify(sigAlg, key, siCanonical, sigBytes)) {
      keyIndex = k;
      break;
    }
  }
  if (keyIndex < 0) fail('signature', 'SignatureValue stimmt nicht (SignedInfo)');

  // 2. References: plain ones first, then (after detaching the signature) enveloped ones.
  const out: VerifiedReference[] = new Array<VerifiedReference>(parsed.length);
  const check = (p: ParsedReference, k: number): void => {
    const target = p.target;
    const canonical = c14nOrFail(() => (target === null ? canonicalDocument(doc, p.c14n) : canonicalSubtree(target, p.c14n)));
    const actual = digest(p.hash, canonical);
    if (!timingSafeEqual(actual, p.expected)) fail('digest', `Reference ${echo(p.uri)}: Digest stimmt nicht`);
    out[k] = { uri: p.uri, element: p.target, canonical, transforms: p.transforms };
  };
  parsed.forEach((p, k) => {
    if (!p.enveloped) check(p, k);
  });
  if (parsed.some((p) => p.enveloped)) {
    signature.remove();
    parsed.forEach((p, k) => {
      if (p.enveloped) check(p, k);
    });
  }
  return { signatureMethod: sigAlgUri, canonicalizationMethod: c14nUri, references: out, keyIndex };
}
