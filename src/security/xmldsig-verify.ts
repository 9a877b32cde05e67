/**
 * verifyXmlSignature: the strict core (xmldsig-core) for generic signed documents (SAML-style
 * enveloped or enveloping signatures), with the signer keys given by the caller. The SOAP
 * verifier uses the same core with a narrower policy. KeyInfo is never trusted by itself.
 */
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { XmlElement, XmlXPath } from 'libxml2-wasm';
import type { AlgorithmPolicy } from './algorithms.js';
import { NS } from '../xml/namespaces.js';
import { SignatureCheckError, buildIdIndex, verifySignatureElement } from './xmldsig-core.js';
import { attrNS, withDocument } from './xml-dom.js';

export interface XmlSignatureOptions extends AlgorithmPolicy {
  /**
   * Trusted signer material: PEM certificates (pinned; must be within validity at `now`),
   * PEM public keys, or KeyObjects.
   */
  trusted: ReadonlyArray<string | KeyObject>;
  now?: Date;
  /** Which ds:Signature of the document, in document order (default 0). */
  signatureIndex?: number;
  /** The signature must cover the document element (URI="" or "#<id of the root>"). */
  requireRootSigned?: boolean;
}

export interface XmlSignatureResult {
  signatureMethod: string;
  references: Array<{ uri: string; canonical: string; coversRoot: boolean }>;
}

let signatureXPath: XmlXPath | undefined;

function trustedKeys(trusted: XmlSignatureOptions['trusted'], now: Date): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const t of trusted) {
    if (typeof t !== 'string') keys.push(t);
    else if (t.includes('CERTIFICATE-----')) {
      const cert = new X509Certificate(t);
      if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) continue; // pinned but expired
      keys.push(cert.publicKey);
    } else keys.push(createPublicKey(t));
  }
  if (keys.length === 0) throw new SignatureCheckError('key', 'no trusted key valid at verification time');
  return keys;
}

export function verifyXmlSignature(xml: string | Uint8Array, opts: XmlSignatureOptions): XmlSignatureResult {
  const keys = trustedKeys(opts.trusted, opts.now ?? new Date());
  return withDocument(xml, (doc) => {
    signatureXPath ??= XmlXPath.compile('//ds:Signature', { ds: NS.ds });
    const sigs = doc.find(signatureXPath).filter((n): n is XmlElement => n instanceof XmlElement);
    const sig = sigs[opts.signatureIndex ?? 0];
    if (sig === undefined) throw new SignatureCheckError('structure', 'signature not found');
    const ids = buildIdIndex(doc);
    if (ids.duplicates.size > 0) throw new SignatureCheckError('duplicate-id', 'ids not unique');
    const root = doc.root;
    const rootId = attrNS(root, 'ID') ?? attrNS(root, 'Id') ?? attrNS(root, 'id');
    const v = verifySignatureElement(doc, sig, {
      ...opts,
      keys,
      ids,
      allowObject: true,
      allowWholeDocument: true,
      strictIdSyntax: false,
    });
    const references = v.references.map((r) => ({
      uri: r.uri,
      canonical: r.canonical.toString('utf8'),
      coversRoot: r.uri === '' || (rootId !== null && r.uri === `#${rootId}`),
    }));
    if (opts.requireRootSigned === true && !references.some((r) => r.coversRoot)) {
      throw new SignatureCheckError('reference', 'document element not signed');
    }
    return { signatureMethod: v.signatureMethod, references };
  });
}
