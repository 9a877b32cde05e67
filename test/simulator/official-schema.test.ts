/**
 * Every fixture query and every XMeld answer of the simulator against the official XMeld
 * schemas of 25.11a and of 26.11 (the whole closure, imports included; see official-schema.ts).
 * The 26.11 queries are the fixtures translated by the gateway's table, checked here too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XmlDocument, XmlValidateError, type XmlElement, type XsdValidator } from 'libxml2-wasm';
import { startSimulatedRegisters, type SimulatedRegisters } from '../../src/simulator/server.js';
import { loadOfficialValidator, officialSchemasAvailable } from './official-schema.js';
import { postSoap, readFixture, readManifest, soapEnvelope, vorgangHeader } from './helpers.js';
import { ReleaseSchemas } from '../../src/xmeld/release-schemas.js';
import { translateQuery } from '../../src/xmeld/translate/translate-query.js';

const manifest = await readManifest();
const own = ReleaseSchemas.load();

describe.skipIf(!officialSchemasAvailable).each(['25.11a', '26.11'] as const)('official XMeld %s structure', (release) => {
  let validator: XsdValidator;
  let sim: SimulatedRegisters;
  const fixtureIn = async (file: string): Promise<string> => {
    const xml = await readFixture(file);
    if (release === '25.11a') return xml;
    return translateQuery(xml, { message: xml.includes('suchanfrage.1332') ? '1332' : '1330', from: '25.11a', to: release }, own.validator);
  };
  beforeAll(async () => {
    validator = loadOfficialValidator(release);
    sim = await startSimulatedRegisters({ slowDelayMs: 10 });
  });
  afterAll(async () => {
    await sim.close(); // the validator is the process-wide compiled closure: not disposed here
  });

  const problems = (target: XmlDocument | XmlElement): string[] => {
    try {
      if (target instanceof XmlDocument) validator.validate(target);
      else validator.validate(target);
      return [];
    } catch (e) {
      if (e instanceof XmlValidateError) return e.details.map((d) => d.message.trim());
      throw e;
    }
  };

  it('rejects a broken message (the check has teeth)', async () => {
    const xml = (await fixtureIn('1330-unique-hit.xml')).replace('<xmeld:suchprofil>', '<xmeld:suchprofilX>').replace('</xmeld:suchprofil>', '</xmeld:suchprofilX>');
    const doc = XmlDocument.fromString(xml);
    try {
      expect(problems(doc).length).toBeGreaterThan(0);
    } finally {
      doc.dispose();
    }
  });

  it.each(manifest.map((q) => [q.file, q] as const))('%s: query and answer are valid', async (_f, entry) => {
    const message = await fixtureIn(entry.file);
    const query = XmlDocument.fromString(message);
    try {
      expect(problems(query)).toEqual([]);
    } finally {
      query.dispose();
    }
    const res = await postSoap(sim.urlFor(entry.target), '1.1', soapEnvelope('1.1', message, vorgangHeader('VG-x')));
    if ('transport' in entry.register && entry.register.transport !== 'slow' && entry.register.transport !== 'soap-fault-0910') return;
    const answer = XmlDocument.fromString(res.text);
    try {
      const body = answer.get('/*[local-name()="Envelope"]/*[local-name()="Body"]/*');
      const isFault = body !== null && 'name' in body && body.name === 'Fault';
      const el = isFault ? answer.get('//*[local-name()="detail"]/*') : body;
      expect(el).not.toBeNull();
      expect(problems(el as XmlElement)).toEqual([]);
    } finally {
      answer.dispose();
    }
  });
});
