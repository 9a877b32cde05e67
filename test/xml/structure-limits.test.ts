import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RejectedMessageError } from '../../src/errors.js';
import { ANSWER_STRUCTURE_LIMITS, checkStructure, REQUEST_STRUCTURE_LIMITS, type StructureLimits } from '../../src/xml/structure-limits.js';
import { sharedDir } from '../support/paths.js';

const small: StructureLimits = {
  maxElements: 5, maxDepth: 3, maxAttributesPerElement: 2, maxAttributes: 4, maxNamespaceDeclarations: 2,
  maxNameBytes: 8, maxTextBytes: 10, maxAttributeValueBytes: 6, maxIds: 1,
};

function verdict(xml: string, limits = small): string {
  try {
    checkStructure(Buffer.from(xml), limits);
    return 'ok';
  } catch (e) {
    if (e instanceof RejectedMessageError) return `${e.code}: ${e.detail}`;
    throw e;
  }
}

describe('structure limits, one linear pass over the bytes', () => {
  it.each([
    ['<a><b/><c/></a>', 'ok'],
    ['<a><b/><b/><b/><b/><b/></a>', 'zu viele Elemente'],
    ['<a><b><c><d/></c></b></a>', 'zu tief verschachtelt'],
    ['<a><b><c></c></b></a>', 'ok'],
    ['<a x="1" y="2" z="3"/>', 'zu viele Attribute an einem Element'],
    ['<a x="1" y="2"><b x="1" y="2"/><c x="1"/></a>', 'zu viele Attribute (höchstens 4)'],
    ['<a xmlns:p="u"><b xmlns:q="v"/><c xmlns="w"/></a>', 'zu viele Namensraumdeklarationen'],
    ['<abcdefghi/>', 'Elementname zu lang'],
    ['<a abcdefghi="1"/>', 'Attributname zu lang'],
    ['<a>12345678901</a>', 'Text zu lang'],
    ['<a><![CDATA[12345678901]]></a>', 'Text zu lang'],
    ['<a><!--12345678901--></a>', 'Kommentar zu lang'],
    ['<a x="1234567"/>', 'Attributwert zu lang'],
    ['<a><b Id="1"/><c wsu:Id="2"/></a>', 'zu viele Id-Attribute'],
    ["<a x='1'/>", 'ok'],
    ['<a x="a>b"/>', 'ok'],
    ['<?x a?><a/>', 'ok'],
  ])('%s → %s', (xml, expected) => {
    const v = verdict(xml);
    if (expected === 'ok') expect(v).toBe('ok');
    else expect(v).toContain(`S999: Nachricht überschreitet die Grenzen: ${expected}`);
  });

  it('leaves malformed markup to libxml2 (stops scanning, never loops)', () => {
    for (const bad of ['<a', '<a x', '<a x=', '<a x="1', '<a x=1>', '<!--', '<?pi', '<![CDATA[', '</', '<a/ >', '<<<<', '']) {
      expect(verdict(bad, REQUEST_STRUCTURE_LIMITS)).toBe('ok');
    }
  });

  it('passes every official sample of both releases with the request limits', () => {
    for (const release of ['25.11a', '26.11']) {
      const dir = path.join(sharedDir, 'xmeld', release, 'samples');
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.xml'))) {
        expect(verdict(readFileSync(path.join(dir, f), 'utf8'), REQUEST_STRUCTURE_LIMITS), f).toBe('ok');
      }
    }
  });

  it('an answer of 1,000 persons fits the answer limits', () => {
    const person = `<x:person>${'<x:n a="1" b="2">text</x:n>'.repeat(60)}</x:person>`;
    expect(verdict(`<x:a xmlns:x="u">${person.repeat(1000)}</x:a>`, ANSWER_STRUCTURE_LIMITS)).toBe('ok');
  });
});
