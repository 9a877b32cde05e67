/**
 * Signs an outgoing SOAP envelope with the WS-Security 1.1 X.509 token profile of contract §4:
 * wsse:Security (mustUnderstand) holding a wsu:Timestamp, a BinarySecurityToken and one
 * ds:Signature (exc-c14n, rsa-sha256 or ecdsa-sha256, SHA-256) over the Body, the Timestamp and
 * gw:vorgang where present, KeyInfo via SecurityTokenReference.
 *
 * One libxml2 parse; the header is built on that tree, digests come from libxml2's exclusive
 * c14n of the same nodes, and the tree is serialized once at the end.
 */
import type { XmlElement, XmlTreeNode } from 'libxml2-wasm';
import { digest, digestUriOf, rawSign } from './algorithms.js';
import { newId } from './ids.js';
import { Alg, WSS_BASE64, WSS_X509V3 } from './ns.js';
import { NS } from '../xml/namespaces.js';
import { prepareSigner, type SignerIdentity } from './signer.js';
import { attrNS, canonicalSubtree, childElements, is, withDocument } from './xml-dom.js';

export interface SignOptions {
  /** wsu:Id of the gw:vorgang header element, if the caller wants it checked. */
  vorgangElementId?: string;
  now?: Date;
  /** Timestamp lifetime, default 300 s. */
  ttlSeconds?: number;
}

export interface SignResult {
  xml: string;
  /** wsu:Ids covered by the signature: Body, Timestamp and gw:vorgang if present. */
  signedIds: string[];
}

const EXC = { kind: 'exclusive', withComments: false } as const;

/** Adds a child in namespace ns, declaring prefix on the child unless it is already bound to ns. */
function addChild(parent: XmlElement, local: string, ns: string, prefix: string): XmlElement {
  if (parent.namespaceForPrefix(prefix) === ns) return parent.addElement(local, prefix);
  const el = parent.addElement(local);
  el.addNsDeclaration(ns, prefix);
  el.prefix = prefix;
  return el;
}

/** Ensures el carries a wsu:Id and returns it (keeps an existing one). */
function ensureWsuId(el: XmlElement, prefixHint: string): string {
  const existing = attrNS(el, 'Id', NS.wsu);
  if (existing !== null) return existing;
  const id = newId(prefixHint);
  if (el.namespaceForPrefix('wsu') !== NS.wsu) el.addNsDeclaration(NS.wsu, 'wsu');
  el.setAttr('Id', id, 'wsu');
  return id;
}

function text(parent: XmlElement, local: string, ns: string, prefix: string, value: string): XmlElement {
  const el = addChild(parent, local, ns, prefix);
  el.addText(value);
  return el;
}


export function signEnvelopeDetailed(envelopeXml: string, signer: SignerIdentity, opts: SignOptions = {}): SignResult {
  const s = prepareSigner(signer);
  const now = opts.now ?? new Date();
  const ttl = opts.ttlSeconds ?? 300;
  return withDocument(envelopeXml, (doc) => {
    const env = doc.root;
    const soapNs = env.namespaceUri;
    if (env.name !== 'Envelope' || (soapNs !== NS.soap11 && soapNs !== NS.soap12)) {
      throw new Error('not a SOAP envelope');
    }
    const kids = childElements(env);
    let header: XmlElement | undefined;
    let body: XmlElement | undefined;
    for (const k of kids) {
      if (is(k, soapNs, 'Header') && header === undefined && body === undefined) header = k;
      else if (is(k, soapNs, 'Body') && body === undefined) body = k;
      else throw new Error('unexpected element in SOAP envelope');
    }
    if (body === undefined) throw new Error('SOAP envelope without Body');
    const envPrefix = env.prefix;
    if (header === undefined) {
      const bodyNode: XmlTreeNode = body;
      header = envPrefix !== '' ? bodyNode.prependElement('Header', envPrefix) : bodyNode.prependElement('Header');
      if (envPrefix === '') {
        header.addNsDeclaration(soapNs, 'soapenv');
        header.prefix = 'soapenv';
      }
    }
    for (const h of childElements(header)) {
      if (is(h, NS.wsse, 'Security')) throw new Error('envelope already carries a wsse:Security header');
    }
    const vorgang = childElements(header).filter((h) => is(h, NS.gw, 'vorgang'));
    if (vorgang.length > 1) throw new Error('more than one gw:vorgang header');
    const vorgangEl = vorgang[0];
    if (opts.vorgangElementId !== undefined) {
      if (vorgangEl === undefined || attrNS(vorgangEl, 'Id', NS.wsu) !== opts.vorgangElementId) {
        throw new Error('gw:vorgang with the given wsu:Id not found');
      }
    }

    const bodyId = ensureWsuId(body, 'Body');
    const vorgangId = vorgangEl !== undefined ? ensureWsuId(vorgangEl, 'Vorgang') : undefined;

    const sec = addChild(header, 'Security', NS.wsse, 'wsse');
    if (sec.namespaceForPrefix('wsu') !== NS.wsu) sec.addNsDeclaration(NS.wsu, 'wsu');
    let muPrefix = envPrefix;
    if (muPrefix === '' || sec.namespaceForPrefix(muPrefix) !== soapNs) {
      muPrefix = 'soapenv';
      if (sec.namespaceForPrefix(muPrefix) !== soapNs) sec.addNsDeclaration(soapNs, muPrefix);
    }
    sec.setAttr('mustUnderstand', soapNs === NS.soap11 ? '1' : 'true', muPrefix);

    const tsId = newId('TS');
    const ts = sec.addElement('Timestamp', 'wsu');
    ts.setAttr('Id', tsId, 'wsu');
    text(ts, 'Created', NS.wsu, 'wsu', now.toISOString());
    text(ts, 'Expires', NS.wsu, 'wsu', new Date(now.getTime() + ttl * 1000).toISOString());

    const bstId = newId('X509');
    const bst = sec.addElement('BinarySecurityToken', 'wsse');
    bst.setAttr('EncodingType', WSS_BASE64);
    bst.setAttr('ValueType', WSS_X509V3);
    bst.setAttr('Id', bstId, 'wsu');
    bst.addText(s.certificateBase64);

    const sig = addChild(sec, 'Signature', NS.ds, 'ds');
    sig.setAttr('Id', newId('SIG'));
    const si = sig.addElement('SignedInfo', 'ds');
    si.addElement('CanonicalizationMethod', 'ds').setAttr('Algorithm', Alg.excC14n);
    si.addElement('SignatureMethod', 'ds').setAttr('Algorithm', s.algorithm.uri);
    const targets: Array<[string, XmlElement]> = [[bodyId, body], [tsId, ts]];
    if (vorgangEl !== undefined && vorgangId !== undefined) targets.push([vorgangId, vorgangEl]);
    for (const [id, el] of targets) {
      const ref = si.addElement('Reference', 'ds');
      ref.setAttr('URI', `#${id}`);
      ref.addElement('Transforms', 'ds').addElement('Transform', 'ds').setAttr('Algorithm', Alg.excC14n);
      ref.addElement('DigestMethod', 'ds').setAttr('Algorithm', digestUriOf(s.digest));
      ref.addElement('DigestValue', 'ds').addText(digest(s.digest, canonicalSubtree(el, EXC)).toString('base64'));
    }
    const value = rawSign(s.algorithm, s.key, canonicalSubtree(si, EXC));
    sig.addElement('SignatureValue', 'ds').addText(value.toString('base64'));
    const str = sig.addElement('KeyInfo', 'ds').addElement('SecurityTokenReference', 'wsse');
    const r = str.addElement('Reference', 'wsse');
    r.setAttr('URI', `#${bstId}`);
    r.setAttr('ValueType', WSS_X509V3);

    return { xml: doc.toString({ format: false, noDeclaration: true }), signedIds: targets.map(([id]) => id) };
  });
}

/** Signs an unsigned SOAP 1.1/1.2 envelope (see module comment); returns the signed XML. */
export function signEnvelope(envelopeXml: string, signer: SignerIdentity, opts: SignOptions = {}): string {
  return signEnvelopeDetailed(envelopeXml, signer, opts).xml;
}
