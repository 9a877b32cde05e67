import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XmlDocument } from 'libxml2-wasm';
import { officialErrors } from '../support/official-closure.js';
import { officialVerdict } from '../support/official-xmeld.js';
import { samplesDirOf } from '../support/paths.js';
import { ReleaseSchemas } from '../../src/xmeld/release-schemas.js';

const ownSchema = ReleaseSchemas.load();

const entryOf = (xml: string) => (/<[\w.-]*:?administration\./.test(xml) ? 'xmeld-nachrichten-administration.xsd' : 'xmeld-nachrichten-datenabrufe.xsd');
describe.each(['25.11a', '26.11'] as const)('the official %s closure, compiled in-process with the catalog', (release) => {
  const samplesDir = samplesDirOf(release);
  const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.xml'));
  it('finds the samples', () => { expect(samples.length).toBeGreaterThanOrEqual(5); });
  for (const f of samples) {
    const xml = readFileSync(path.join(samplesDir, f), 'utf8');
    it(`${f}: valid against the official set, agreeing with xmllint`, () => {
      const errors = officialErrors(release, entryOf(xml), xml);
      expect(errors).toEqual([]);
      expect(officialVerdict(release, xml).valid).toBe(true);
    });
    it(`${f}: valid against the project's own schemas`, () => {
      const doc = XmlDocument.fromString(xml);
      try { expect(ownSchema.validate(doc.root)).toEqual({ ok: true }); } finally { doc.dispose(); }
    });
  }
  it('an invalid message is refused by both, libxml2-wasm and xmllint', () => {
    const xml = readFileSync(path.join(samplesDir, samples.find((s) => /-1330(-26\.11)?\.xml$/.test(s)) as string), 'utf8')
      .replace(/<erstellungszeitpunkt>/, '<unerwartet/><erstellungszeitpunkt>');
    expect(officialErrors(release, entryOf(xml), xml).length).toBeGreaterThan(0);
    expect(officialVerdict(release, xml).valid).toBe(false);
  });
});
