/**
 * An independent re-signer for hostile test variants: edits a signed envelope, recomputes every
 * digest and the signature value with whatever algorithms the (edited) SignedInfo names, so the
 * result is cryptographically valid and only the profile policy can refuse it.
 */
import { createHash, createHmac, sign, type KeyObject } from 'node:crypto';
import { XmlC14NMode, XmlDocument, XmlElement, XmlText } from 'libxml2-wasm';

export const DS = 'http://www.w3.org/2000/09/xmldsig#';
const NSMAP = {
  ds: DS,
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
};

function c14nOptions(alg: string): { mode: 0 | 1 | 2; withComments: boolean } {
  const withComments = alg.endsWith('#WithComments');
  if (alg.startsWith('http://www.w3.org/2001/10/xml-exc-c14n#')) return { mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0, withComments };
  if (alg.startsWith('http://www.w3.org/2006/12/xml-c14n11')) return { mode: XmlC14NMode.XML_C14N_1_1, withComments };
  return { mode: XmlC14NMode.XML_C14N_1_0, withComments };
}

function setText(el: XmlElement, value: string): void {
  const t = el.firstChild;
  if (t instanceof XmlText) t.content = value;
  else el.addText(value);
}

export interface ResignOptions {
  hmacSecret?: Buffer;
}

export function resign(xml: string, key: KeyObject, edit: (sig: XmlElement, doc: XmlDocument) => void, opts: ResignOptions = {}): string {
  const doc = XmlDocument.fromString(xml);
  try {
    const sig = doc.get('//ds:Signature', NSMAP) as XmlElement;
    edit(sig, doc);
    const si = sig.get('ds:SignedInfo', NSMAP) as XmlElement;
    for (const ref of si.find('ds:Reference', NSMAP) as XmlElement[]) {
      const id = (ref.attr('URI')?.value ?? '').slice(1);
      const target = doc.get(`//*[@wsu:Id='${id}' or @Id='${id}']`, NSMAP) as XmlElement;
      const transforms = (ref.find('ds:Transforms/ds:Transform', NSMAP) as XmlElement[]).map((t) => t.attr('Algorithm')?.value ?? '');
      const c14n = transforms.find((t) => t.includes('c14n')) ?? 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
      const digestAlg = (ref.get('ds:DigestMethod', NSMAP) as XmlElement).attr('Algorithm')?.value ?? '';
      const hash = digestAlg.endsWith('sha1') ? 'sha1' : 'sha256';
      const canonical = target.canonicalizeToString(c14nOptions(c14n));
      setText(ref.get('ds:DigestValue', NSMAP) as XmlElement, createHash(hash).update(canonical).digest('base64'));
    }
    const c14nAlg = (si.get('ds:CanonicalizationMethod', NSMAP) as XmlElement).attr('Algorithm')?.value ?? '';
    const canonicalSi = si.canonicalizeToString(c14nOptions(c14nAlg));
    const sigAlg = (si.get('ds:SignatureMethod', NSMAP) as XmlElement).attr('Algorithm')?.value ?? '';
    const hash = sigAlg.endsWith('sha1') ? 'sha1' : 'sha256';
    const value = sigAlg.includes('hmac')
      ? createHmac(hash, opts.hmacSecret ?? Buffer.from('secret')).update(canonicalSi).digest()
      : sign(hash, Buffer.from(canonicalSi), sigAlg.includes('ecdsa') ? { key, dsaEncoding: 'ieee-p1363' } : key);
    setText(sig.get('ds:SignatureValue', NSMAP) as XmlElement, value.toString('base64'));
    return doc.toString({ format: false, noDeclaration: true });
  } finally {
    doc.dispose();
  }
}

/** Sets an attribute on every element matched by xpath (namespaces ds/wsu/wsse). */
export function setAttrAll(root: XmlElement | XmlDocument, xpath: string, name: string, value: string): void {
  for (const n of root.find(xpath, NSMAP) as XmlElement[]) n.setAttr(name, value);
}

export { NSMAP };
