/**
 * Verifies an incoming SOAP envelope against the strict WS-Security profile of contract §4 and
 * returns only what was signed. Trust in the signer certificate (chain, validity, revocation,
 * pinning) is trust.ts's job; replay is replay-guard.ts's; verify-and-trust.ts combines them.
 *
 * RTS codes (decision, see docs/decisions.md):
 *   X000 not well-formed or DOCTYPE
 *   T010 no wsse:Security header or no ds:Signature in it
 *   T003 no BinarySecurityToken
 *   T002 BinarySecurityToken not a parseable X.509 certificate
 *   T099 envelope/header structure outside the profile: duplicate Envelope/Header/Body/Security/
 *        Signature/Timestamp, duplicate ids, elements in the wrong place, stale or over-long
 *        Timestamp (the transport profile was violated, the signature itself may be fine)
 *   T011 the signature is not acceptable: algorithm not allowed, SignedInfo/Reference structure,
 *        KeyInfo not pointing at the token, Body/Timestamp/gw:vorgang not covered, digest or
 *        signature value wrong
 *   S000 Timestamp Created in the future beyond the allowed skew
 */
import { X509Certificate } from 'node:crypto';
import { XmlDocument, XmlElement, XmlXPath } from 'libxml2-wasm';
import { RejectedMessageError } from '../errors.js';
import { STRICT_C14N } from './algorithms.js';
import { certificateInfo, type CertificateInfo } from './cert-info.js';
import { WSS_BASE64, WSS_X509V3 } from './ns.js';
import { NS } from '../xml/namespaces.js';
import {
  SignatureCheckError,
  buildIdIndex,
  decodeBase64Strict,
  verifySignatureElement,
  type VerifiedSignature,
} from './xmldsig-core.js';
import { attrNS, canonicalSubtree, childElements, hasStrayText, is, pureText, withDocument } from './xml-dom.js';

export interface VerifyPolicy {
  /** Accept rsa-sha1/ecdsa-sha1/sha1 (per-party opt-in, see verifyAndTrust). Default false. */
  allowSha1?: boolean;
  /** Clock skew tolerated for Created/Expires, default 300 s. */
  clockSkewSeconds?: number;
  /** Longest accepted Expires − Created, default 3600 s (bounds the replay window). */
  maxTimestampLifetimeSeconds?: number;
  /** Refuse envelopes without gw:vorgang (T099). Default false. */
  requireVorgang?: boolean;
}

export interface VerifiedEnvelope {
  soapVersion: '1.1' | '1.2';
  /** Exclusive-c14n of the signed Body element (exactly the bytes that were digested). */
  bodyXml: string;
  /** Exclusive-c14n of the single element inside the signed Body (the XMeld message). */
  messageXml: string;
  /** Namespace and local name of the message element. */
  messageName: { ns: string; local: string };
  /** nachrichtenkopf.g2g/identifikation.nachricht/nachrichtenUUID of the signed message, if present. */
  nachrichtenUUID?: string;
  /** nachrichtenkopf.g2g/autor/kennung of the signed message (for resolving the sender party). */
  autorKennung?: string;
  /** gw:vorgang (signed) if present. */
  vorgang?: { xml: string; vorgangsnummer?: string };
  signerCertificate: CertificateInfo;
  timestamp: { created: Date; expires: Date };
  /** wsu:Ids of the elements covered by the signature. */
  signedIds: string[];
  algorithms: { signature: string; digests: string[] };
}

const XPATH_NS = { s11: NS.soap11, s12: NS.soap12, wsse: NS.wsse, wsu: NS.wsu, ds: NS.ds, gw: NS.gw };
let profileNodes: XmlXPath | undefined;

function reject(code: 'T002' | 'T003' | 'T010' | 'T011' | 'T099' | 'S000', detail: string): never {
  throw new RejectedMessageError(code, detail);
}

interface Census {
  envelope: XmlElement[];
  header: XmlElement[];
  body: XmlElement[];
  security: XmlElement[];
  signature: XmlElement[];
  signedInfo: XmlElement[];
  timestamp: XmlElement[];
  token: XmlElement[];
  vorgang: XmlElement[];
}

/** One native XPath pass over the document for every element the profile counts. */
function census(doc: XmlDocument): Census {
  profileNodes ??= XmlXPath.compile(
    '//s11:Envelope|//s12:Envelope|//s11:Header|//s12:Header|//s11:Body|//s12:Body|//wsse:Security|' +
      '//ds:Signature|//ds:SignedInfo|//wsu:Timestamp|//wsse:BinarySecurityToken|//gw:vorgang',
    XPATH_NS,
  );
  const c: Census = { envelope: [], header: [], body: [], security: [], signature: [], signedInfo: [], timestamp: [], token: [], vorgang: [] };
  const keyOf: Record<string, keyof Census> = {
    Envelope: 'envelope', Header: 'header', Body: 'body', Security: 'security', Signature: 'signature',
    SignedInfo: 'signedInfo', Timestamp: 'timestamp', BinarySecurityToken: 'token', vorgang: 'vorgang',
  };
  for (const n of doc.find(profileNodes)) {
    if (!(n instanceof XmlElement)) continue;
    const k = keyOf[n.name];
    if (k !== undefined) c[k].push(n);
  }
  return c;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function instant(el: XmlElement | undefined): Date {
  const t = el === undefined ? null : pureText(el);
  if (t === null || !ISO_INSTANT.test(t.trim())) reject('T099', 'Timestamp nicht lesbar');
  const d = new Date(t.trim());
  if (Number.isNaN(d.getTime())) reject('T099', 'Timestamp nicht lesbar');
  return d;
}

function checkTimestamp(ts: XmlElement, policy: VerifyPolicy, now: Date): { created: Date; expires: Date } {
  if (hasStrayText(ts)) reject('T099', 'Timestamp-Struktur');
  const kids = childElements(ts);
  const [createdEl, expiresEl] = kids;
  if (kids.length !== 2 || !is(createdEl, NS.wsu, 'Created') || !is(expiresEl, NS.wsu, 'Expires')) {
    reject('T099', 'Timestamp muss Created und Expires enthalten');
  }
  const created = instant(createdEl);
  const expires = instant(expiresEl);
  const skew = (policy.clockSkewSeconds ?? 300) * 1000;
  const maxLife = (policy.maxTimestampLifetimeSeconds ?? 3600) * 1000;
  if (expires.getTime() < created.getTime()) reject('T099', 'Timestamp: Expires vor Created');
  if (expires.getTime() - created.getTime() > maxLife) reject('T099', 'Timestamp: Gültigkeit zu lang');
  if (created.getTime() > now.getTime() + skew) reject('S000', 'Timestamp: Created liegt in der Zukunft');
  if (expires.getTime() + skew <= now.getTime()) reject('T099', 'Timestamp abgelaufen');
  return { created, expires };
}

interface ParsedToken {
  cert: X509Certificate;
  info: CertificateInfo;
}

// A party signs every message with the same certificate: parse each token once (bounded).
const tokenCache = new Map<string, ParsedToken>();
const TOKEN_CACHE_MAX = 256;

function tokenCertificate(token: XmlElement): ParsedToken {
  if (attrNS(token, 'ValueType') !== WSS_X509V3) reject('T002', 'Token ist kein X.509v3-Zertifikat');
  const enc = attrNS(token, 'EncodingType');
  if (enc !== null && enc !== WSS_BASE64) reject('T002', 'Token-Kodierung nicht erlaubt');
  const text = pureText(token);
  if (text === null) reject('T002', 'Token nicht lesbar');
  const cached = tokenCache.get(text);
  if (cached) return cached;
  let parsed: ParsedToken;
  try {
    const cert = new X509Certificate(decodeBase64Strict(text));
    parsed = { cert, info: certificateInfo(cert) };
  } catch {
    return reject('T002', 'Zertifikat nicht lesbar');
  }
  if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
  tokenCache.set(text, parsed);
  return parsed;
}

/** KeyInfo must be exactly SecurityTokenReference/Reference to the token's wsu:Id. */
function checkKeyInfo(signature: XmlElement, tokenId: string): void {
  const keyInfo = childElements(signature).filter((c) => is(c, NS.ds, 'KeyInfo'));
  const [ki] = keyInfo;
  if (keyInfo.length !== 1 || ki === undefined) reject('T011', 'KeyInfo fehlt');
  const [str, ...more] = childElements(ki);
  if (more.length > 0 || !is(str, NS.wsse, 'SecurityTokenReference')) reject('T011', 'KeyInfo nicht im Profil');
  const [ref, ...more2] = childElements(str);
  if (more2.length > 0 || !is(ref, NS.wsse, 'Reference') || attrNS(ref, 'URI') !== `#${tokenId}`) {
    reject('T011', 'KeyInfo verweist nicht auf das Token');
  }
  const vt = attrNS(ref, 'ValueType');
  if (vt !== null && vt !== WSS_X509V3) reject('T011', 'KeyInfo-ValueType nicht erlaubt');
}

function child(el: XmlElement | undefined, local: string): XmlElement | undefined {
  if (el === undefined) return undefined;
  return childElements(el).find((c) => c.name === local && c.namespaceUri === '');
}

/** Text of nachrichtenkopf.g2g/<a>/<b> (unqualified elements) of the signed message. */
function kopfValue(message: XmlElement, a: string, b: string): string | undefined {
  const el = child(child(child(message, 'nachrichtenkopf.g2g'), a), b);
  const t = el === undefined ? null : pureText(el);
  return t === null ? undefined : t.trim();
}


function digestUris(signature: XmlElement): string[] {
  const si = childElements(signature)[0];
  if (si === undefined) return [];
  return childElements(si)
    .filter((r) => is(r, NS.ds, 'Reference'))
    .map((r) => childElements(r).find((c) => is(c, NS.ds, 'DigestMethod')))
    .map((d) => (d === undefined ? '' : (attrNS(d, 'Algorithm') ?? '')));
}

/**
 * Called with the token's certificate and the (not yet verified) autor kennung before any digest
 * or signature is computed: an unknown sender or a certificate no configured anchor issued is
 * refused at the cost of a look-up, not of canonicalization. Throws to refuse.
 */
export type AdmitSigner = (signer: { certificate: CertificateInfo; autorKennung?: string }) => void;

function verifyDoc(doc: XmlDocument, policy: VerifyPolicy, now: Date, admit?: AdmitSigner): VerifiedEnvelope {
  const env = doc.root;
  const soapNs = env.namespaceUri;
  if (env.name !== 'Envelope' || (soapNs !== NS.soap11 && soapNs !== NS.soap12)) reject('T099', 'kein SOAP-Envelope');
  const c = census(doc);
  if (c.envelope.length !== 1 || c.body.length !== 1 || c.header.length > 1) reject('T099', 'Envelope/Header/Body nicht eindeutig');

  // The Envelope holds Header then Body, nothing else; all in the Envelope's SOAP version.
  if (hasStrayText(env)) reject('T099', 'Text im Envelope');
  const envKids = childElements(env);
  const body = envKids[envKids.length - 1];
  if (!is(body, soapNs, 'Body')) reject('T099', 'Body fehlt');
  if (envKids.length === 1) reject('T010', 'Security-Header fehlt');
  const header = envKids[0];
  if (envKids.length !== 2 || !is(header, soapNs, 'Header')) reject('T099', 'Envelope-Struktur');
  if (c.security.length === 0) reject('T010', 'Security-Header fehlt');
  if (c.security.length > 1) reject('T099', 'mehr als ein Security-Header');
  const security = c.security[0]!;
  if (security.parent === null || !security.parent.isSameNode(header)) reject('T099', 'Security nicht im Header');
  if (c.signature.length === 0) reject('T010', 'Signatur fehlt');
  if (c.signature.length > 1) reject('T099', 'mehr als eine Signatur');
  if (c.signedInfo.length !== 1) reject('T011', 'SignedInfo nicht eindeutig');
  if (c.token.length === 0) reject('T003', 'Zertifikat fehlt');
  if (c.token.length > 1 || c.timestamp.length !== 1) reject('T099', 'Token/Timestamp nicht eindeutig');
  if (c.vorgang.length > 1) reject('T099', 'gw:vorgang nicht eindeutig');

  // Security holds exactly Timestamp, BinarySecurityToken and Signature (any order).
  if (hasStrayText(security)) reject('T099', 'Text im Security-Header');
  const secKids = childElements(security);
  const signature = c.signature[0]!;
  const timestamp = c.timestamp[0]!;
  const token = c.token[0]!;
  const expected = [signature, timestamp, token];
  if (secKids.length !== 3 || !expected.every((e) => secKids.some((k) => k.isSameNode(e)))) {
    reject('T099', 'Security-Header-Inhalt nicht im Profil');
  }
  const vorgang = c.vorgang[0];
  if (vorgang !== undefined && (vorgang.parent === null || !vorgang.parent.isSameNode(header))) {
    reject('T099', 'gw:vorgang nicht im Header');
  }
  if (vorgang === undefined && policy.requireVorgang === true) reject('T099', 'gw:vorgang fehlt');

  const ids = buildIdIndex(doc);
  if (ids.duplicates.size > 0) reject('T099', 'Ids nicht eindeutig');
  // wsu:Id, or a plain Id/ID (unambiguous: ids are unique across all id attributes, checked above).
  const tokenId = attrNS(token, 'Id', NS.wsu) ?? attrNS(token, 'Id') ?? attrNS(token, 'ID');
  if (tokenId === null) reject('T099', 'Token ohne Id');

  const { cert, info } = tokenCertificate(token);
  checkKeyInfo(signature, tokenId);
  if (admit !== undefined) {
    // The same node is read again below once the Body is known to be covered.
    const first = childElements(body)[0];
    const kennung = first === undefined ? undefined : kopfValue(first, 'autor', 'kennung');
    admit({ certificate: info, ...(kennung !== undefined ? { autorKennung: kennung } : {}) });
  }

  // Read before verification: an enveloped-signature reference detaches the Signature element.
  const digests = digestUris(signature);
  let verified: VerifiedSignature;
  try {
    verified = verifySignatureElement(doc, signature, {
      keys: [cert.publicKey],
      ids,
      allowSha1: policy.allowSha1 === true,
      c14nAlgorithms: STRICT_C14N,
      allowEnvelopedTransform: true,
      envelopedOutsideIsNoOp: true,
      allowObject: false,
      allowWholeDocument: false,
    });
  } catch (e) {
    if (e instanceof SignatureCheckError) {
      // The message names the failed check (reference, transform, algorithm), never content.
      reject(e.failure === 'duplicate-id' ? 'T099' : 'T011', `Signatur ungültig: ${e.message}`);
    }
    throw e;
  }

  // Coverage: *the* Body, *the* Timestamp and *the* gw:vorgang, by node identity.
  const covered = (el: XmlElement): boolean => verified.references.some((r) => r.element !== null && r.element.isSameNode(el));
  if (!covered(body)) reject('T011', 'Body nicht signiert');
  if (!covered(timestamp)) reject('T011', 'Timestamp nicht signiert');
  if (vorgang !== undefined && !covered(vorgang)) reject('T011', 'gw:vorgang nicht signiert');

  const ts = checkTimestamp(timestamp, policy, now);

  if (hasStrayText(body)) reject('T099', 'Text im Body');
  const bodyKids = childElements(body);
  const message = bodyKids[0];
  if (bodyKids.length !== 1 || message === undefined) reject('T099', 'Body muss genau eine Nachricht enthalten');

  const bodyRef = verified.references.find((r) => r.element !== null && r.element.isSameNode(body));
  const exc = { kind: 'exclusive', withComments: false } as const;
  const uuid = kopfValue(message, 'identifikation.nachricht', 'nachrichtenUUID');
  const autor = kopfValue(message, 'autor', 'kennung');
  let vorgangOut: VerifiedEnvelope['vorgang'];
  if (vorgang !== undefined) {
    const nrEl = childElements(vorgang).find((k) => is(k, NS.gw, 'vorgangsnummer'));
    const nr = nrEl === undefined ? null : pureText(nrEl);
    const ref = verified.references.find((r) => r.element !== null && r.element.isSameNode(vorgang));
    vorgangOut = { xml: (ref?.canonical ?? canonicalSubtree(vorgang, exc)).toString('utf8'), ...(nr !== null ? { vorgangsnummer: nr.trim() } : {}) };
  }
  return {
    soapVersion: soapNs === NS.soap11 ? '1.1' : '1.2',
    bodyXml: (bodyRef?.canonical ?? canonicalSubtree(body, exc)).toString('utf8'),
    messageXml: canonicalSubtree(message, exc).toString('utf8'),
    messageName: { ns: message.namespaceUri, local: message.name },
    ...(uuid !== undefined ? { nachrichtenUUID: uuid } : {}),
    ...(autor !== undefined ? { autorKennung: autor } : {}),
    ...(vorgangOut !== undefined ? { vorgang: vorgangOut } : {}),
    signerCertificate: info,
    timestamp: ts,
    signedIds: verified.references.map((r) => r.uri.slice(1)),
    algorithms: { signature: verified.signatureMethod, digests },
  };
}

/**
 * Verifies the envelope's signature and structure (not the signer's trust: see trust.ts).
 * Throws RejectedMessageError with the RTS code listed in the module comment. Given a document
 * (the hop's one hardened parse), works on that tree and leaves it to the caller to free; an
 * enveloped-signature reference to an element around the signature detaches the signature from it.
 */
export function verifyEnvelope(
  envelope: string | Uint8Array | XmlDocument, policy: VerifyPolicy = {}, opts: { now?: Date; admit?: AdmitSigner } = {},
): VerifiedEnvelope {
  const now = opts.now ?? new Date();
  if (envelope instanceof XmlDocument) return verifyDoc(envelope, policy, now, opts.admit);
  return withDocument(envelope, (doc) => verifyDoc(doc, policy, now, opts.admit));
}
