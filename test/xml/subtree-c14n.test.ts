/**
 * The direct subtree canonicalization (src/xml/subtree-c14n.ts) against libxml2's whole-document
 * walk with a visibility filter, on every element of the third-party vectors, the official
 * samples, the fixtures and envelopes the gateway signs: the same octets or the same refusal,
 * and the tree as it was afterwards.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { XmlDocument, XmlElement } from 'libxml2-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { testSigner } from '../../src/security/test-pki.js';
import { signEnvelope } from '../../src/security/wss-sign.js';
import { canonicalSubtree, canonicalSubtreeFiltered, parseStrict, type C14nParams } from '../../src/security/xml-dom.js';
import { writeEnvelope } from '../../src/soap/write-envelope.js';
import { subtreeC14nSkips } from '../../src/xml/subtree-c14n.js';
import { fixturesDir, sharedDir, vectorsDir } from '../support/paths.js';
import { loadTestPki } from '../support/test-pki.js';

function xmlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...xmlFiles(p));
    else if (name.endsWith('.xml')) out.push(p);
  }
  return out;
}

function elements(doc: XmlDocument): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (el: XmlElement): void => {
    out.push(el);
    for (let n = el.firstChild; n !== null; n = n.next) if (n instanceof XmlElement) visit(n);
  };
  visit(doc.root);
  return out;
}

type Result = { bytes: string } | { error: true };
function run(f: () => Buffer): Result {
  try {
    return { bytes: f().toString('utf8') };
  } catch {
    return { error: true };
  }
}

const PARAMS: C14nParams[] = [
  { kind: 'exclusive', withComments: false },
  { kind: 'exclusive', withComments: true },
];

describe('direct subtree canonicalization', () => {
  const documents: Array<{ name: string; xml: string }> = [];

  beforeAll(async () => {
    const files = [
      ...xmlFiles(vectorsDir),
      ...xmlFiles(path.join(sharedDir, 'xmeld/25.11a/samples')),
      ...xmlFiles(path.join(sharedDir, 'xmeld/26.11/samples')),
      ...xmlFiles(fixturesDir),
    ];
    for (const f of files) documents.push({ name: path.relative(sharedDir, f), xml: readFileSync(f, 'utf8') });
    // What the gateway signs: its own envelopes, in both SOAP versions.
    const pki = await loadTestPki();
    const message = readFileSync(path.join(fixturesDir, 'queries', readdirSync(path.join(fixturesDir, 'queries')).find((n) => n.startsWith('1330'))!), 'utf8')
      .replace(/^<\?xml[^>]*\?>\s*/, '');
    for (const version of ['1.1', '1.2'] as const) {
      const env = writeEnvelope({ version, body: message, vorgangsnummer: '03-20261207-000000001' });
      documents.push({ name: `signed SOAP ${version}`, xml: signEnvelope(env, testSigner(pki.identities.gateway)) });
    }
  });

  it('gives the octets (or the refusal) of the whole-document walk on every element', () => {
    let compared = 0;
    let direct = 0;
    const skipped = new Map<string, number>();
    for (const { name, xml } of documents) {
      let doc: XmlDocument;
      try {
        doc = parseStrict(xml);
      } catch {
        continue; // parser vectors: refused before any canonicalization
      }
      try {
        const before = doc.toString({ format: false });
        for (const el of elements(doc)) {
          const why = subtreeC14nSkips(el, undefined);
          if (why === undefined) direct++;
          else skipped.set(why, (skipped.get(why) ?? 0) + 1);
          for (const p of PARAMS) {
            const a = run(() => canonicalSubtree(el, p));
            const b = run(() => canonicalSubtreeFiltered(el, p));
            expect(a, `${name}: <${el.name}> ${JSON.stringify(p)}`).toEqual(b);
            compared++;
          }
        }
        // Every element is back in its place.
        expect(doc.toString({ format: false }), name).toBe(before);
      } finally {
        doc.dispose();
      }
    }
    expect(compared).toBeGreaterThan(2000);
    // Most elements take the direct path; the rest are named reasons, not accidents.
    expect(direct).toBeGreaterThan(compared / 4);
    for (const reason of skipped.keys()) {
      expect(['top-level nodes beside the root', 'namespace URI not plainly absolute']).toContain(reason);
    }
  });

  it('leaves a prefix list, a relative namespace anywhere and top-level nodes to the walk', () => {
    const rel = parseStrict('<a xmlns:r="relative"><b xmlns="urn:x"><c/></b></a>');
    try {
      const b = rel.root.firstChild as XmlElement;
      expect(subtreeC14nSkips(b, undefined)).toBe('namespace URI not plainly absolute');
      // libxml2 refuses the document on either path.
      expect(() => canonicalSubtree(b, PARAMS[0]!)).toThrow();
    } finally {
      rel.dispose();
    }
    const top = parseStrict('<?pi x?><a><b>t</b></a><!--c-->');
    try {
      const b = top.root.firstChild as XmlElement;
      expect(subtreeC14nSkips(b, undefined)).toBe('top-level nodes beside the root');
      expect(canonicalSubtree(b, PARAMS[1]!).toString()).toBe('<b>t</b>');
    } finally {
      top.dispose();
    }
    const plain = parseStrict('<a xmlns:p="urn:p"><b p:x="1"><p:c/>x</b>y</a>');
    try {
      const b = plain.root.firstChild as XmlElement;
      expect(subtreeC14nSkips(b, ['p'])).toBe('inclusive prefix list');
      expect(subtreeC14nSkips(b, undefined)).toBeUndefined();
      expect(canonicalSubtree(b, PARAMS[0]!).toString()).toBe('<b xmlns:p="urn:p" p:x="1"><p:c></p:c>x</b>');
      expect(plain.toString({ format: false })).toContain('<a xmlns:p="urn:p"><b p:x="1"><p:c/>x</b>y</a>');
    } finally {
      plain.dispose();
    }
  });

  it('puts an only child, a first and a last child back in place', () => {
    const doc = parseStrict('<r><only/></r>');
    const doc2 = parseStrict('<r>a<first/>b<mid/>c<last/></r>');
    try {
      canonicalSubtree(doc.root.firstChild as XmlElement, PARAMS[0]!);
      expect(doc.toString({ format: false })).toContain('<r><only/></r>');
      for (const el of elements(doc2).slice(1)) canonicalSubtree(el, PARAMS[0]!);
      expect(doc2.toString({ format: false })).toContain('<r>a<first/>b<mid/>c<last/></r>');
    } finally {
      doc.dispose();
      doc2.dispose();
    }
  });
});
