/**
 * `node --import tsx bench/c14n-experiment.ts`: exclusive c14n of the signed Body of a typical
 * 1330 envelope, (a) in place with a node set (what src/security/xml-dom.ts canonicalSubtree does:
 * libxml2 asks a JS visibility callback about every node of the whole document), and (b) of the
 * same subtree copied into its own document and canonicalized whole (no callback). Checks that
 * both give the same bytes and prints µs per call.
 */
import { rmSync } from 'node:fs';
import { XmlDocument, XmlElement } from 'libxml2-wasm';
import { canonicalSubtree } from '../src/security/xml-dom.js';
import { loadBenchPki } from './lib/security-wiring.js';
import { prepareMaterial, timeIt } from './lib/stages.js';
import { detectWiring } from './lib/wiring.js';

const pki = await loadBenchPki(detectWiring().pkiDir);
const m = await prepareMaterial(pki);
const EXC = { kind: 'exclusive', withComments: false } as const;
const doc = XmlDocument.fromBuffer(m.req1330Signed);
const body = doc.root.find('//*[local-name()="Body"]')[0] as XmlElement;
const ts = doc.root.find('//*[local-name()="Timestamp"]')[0] as XmlElement;

function copied(el: XmlElement): Buffer {
  // the subtree with the namespaces it uses declared on itself, as its own document
  const declared = el.nsDeclarations;
  for (const [prefix, uri] of Object.entries(el.namespaces)) {
    if (!(prefix in declared)) el.addNsDeclaration(uri, prefix === '' ? undefined : prefix);
  }
  const d = XmlDocument.fromString(el.toString({ format: false }));
  try {
    return Buffer.from(d.canonicalizeToString({ mode: 1, withComments: false } as never));
  } finally {
    d.dispose();
  }
}

const a = canonicalSubtree(body, EXC);
const b = copied(body);
console.log(`same bytes for Body: ${a.equals(b)} (${a.length} bytes)`);
const inPlaceBody = await timeIt(() => canonicalSubtree(body, EXC), 1500);
const inPlaceTs = await timeIt(() => canonicalSubtree(ts, EXC), 1500);
const copyBody = await timeIt(() => copied(body), 1500);
console.log(`in place (nodeSet + JS visibility callback): Body ${inPlaceBody.us.toFixed(1)} µs, Timestamp ${inPlaceTs.us.toFixed(1)} µs`);
console.log(`copied subtree, whole-document c14n:         Body ${copyBody.us.toFixed(1)} µs`);
doc.dispose();
rmSync(m.dir, { recursive: true, force: true });
