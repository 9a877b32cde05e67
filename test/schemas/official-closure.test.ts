import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XmlDocument } from 'libxml2-wasm';
import { officialErrors } from '../support/official-closure.js';
import { officialVerdict } from '../support/official-xmeld.js';
import { samplesDir } from '../support/paths.js';
import { XmeldSchema } from '../../src/xml/xsd-validator.js';

const ownSchema = XmeldSchema.load();

const entryOf = (xml: string) => (/<[\w.-]*:?administration\./.test(xml) ? 'xmeld-nachrichten-administration.xsd' : 'xmeld-nachrichten-datenabrufe.xsd');
const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.xml'));

describe('the official 25.11a closure, compiled in-process with the catalog', () => {
  it('finds the samples', () => { expect(samples.length).toBeGreaterThanOrEqual(5); });
  for (const f of samples) {
    const xml = readFileSync(path.join(samplesDir, f), 'utf8');
    it(`${f}: valid against the official set, agreeing with xmllint`, () => {
      const errors = officialErrors('25.11a', entryOf(xml), xml);
      expect(errors).toEqual([]);
      expect(officialVerdict('25.11a', xml).valid).toBe(true);
    });
    it(`${f}: valid against the project's own schemas`, () => {
      const doc = XmlDocument.fromString(xml);
      try { expect(ownSchema.validate(doc)).toEqual({ ok: true }); } finally { doc.dispose(); }
    });
  }
  it('an invalid message is refused by both, libxml2-wasm and xmllint', () => {
    const xml = readFileSync(path.join(samplesDir, samples.find((s) => s.endsWith('-1330.xml')) as string), 'utf8')
      .replace(/<erstellungszeitpunkt>/, '<unerwartet/><erstellungszeitpunkt>');
    expect(officialErrors('25.11a', entryOf(xml), xml).length).toBeGreaterThan(0);
    expect(officialVerdict('25.11a', xml).valid).toBe(false);
  });
});
