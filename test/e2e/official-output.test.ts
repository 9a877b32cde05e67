import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { officialMessageErrors } from '../support/official-closure.js';
import { officialVerdictsByRelease, releaseOfMessage, xmeldMessageOf } from '../support/official-xmeld.js';
import { fixturesDir, samplesDirOf } from '../support/paths.js';
import { envelope, postSoap } from '../support/soap-post.js';

/**
 * Contract §2: every message the gateway writes is valid against the official XMeld schemas,
 * and every message valid against them is accepted as far as the schema goes. Checked with
 * xmllint on the official closure of the message's release (../shared/xmeld/<release>/official/), not on the project's
 * own schemas, for every outcome the simulated registers produce.
 */
const manifest = (parseYaml(readFileSync(path.join(fixturesDir, 'queries/manifest.yaml'), 'utf8')) as {
  queries: { file: string; message: string; gateway: { ergebnisstatus?: string; rueckweisung?: string[] } }[];
}).queries;

let h: Harness;
const forwarded: { register: string; xml: string; action: string }[] = [];
const answers: { file: string; xml: string }[] = [];

beforeAll(async () => {
  h = await startHarness({
    simulator: {
      slowDelayMs: 3_000,
      onRequest: (register, body, headers) => {
        const action = String(headers['soapaction'] ?? /action="([^"]*)"/.exec(String(headers['content-type'] ?? ''))?.[1] ?? '');
        forwarded.push({ register, xml: body.toString('utf8'), action: action.replace(/^"|"$/g, '') });
      },
    },
    config: (c) => { c.http.requestDeadlineMs = 2_000; },
  });
  for (const q of manifest) {
    const res = await postSoap(h.endpoint, h.signed(readFileSync(path.join(fixturesDir, 'queries', q.file), 'utf8')).xml);
    answers.push({ file: q.file, xml: res.body });
  }
}, 120_000);
afterAll(async () => {
  await h?.close();
});

function expectAllValid(label: string, envelopes: { name: string; xml: string }[]): void {
  const messages = envelopes.map((e) => ({ name: e.name, xml: xmeldMessageOf(e.xml) }));
  for (const m of messages) expect(m.xml, `${label} ${m.name}: no XMeld message`).toBeDefined();
  const verdicts = officialVerdictsByRelease(messages.map((m) => m.xml as string));
  const invalid = verdicts.map((v, i) => ({ v, name: messages[i]?.name })).filter((x) => !x.v.valid);
  expect(invalid.map((x) => `${x.name}: ${x.v.errors}`), label).toEqual([]);
  // the same verdict in-process (libxml2-wasm on the catalog-resolved closure)
  const inProcess = messages.map((m) => ({ name: m.name, errors: officialMessageErrors(releaseOfMessage(m.xml as string), m.xml as string) })).filter((x) => x.errors.length > 0);
  expect(inProcess, `${label} (libxml2-wasm)`).toEqual([]);
}

describe('what the gateway writes is valid against the official XMeld schemas of its release', () => {
  it('every answer the caller receives (1331 and 1333, every outcome of the manifest)', () => {
    expect(answers).toHaveLength(manifest.length);
    expectAllValid('answer', answers.map((a) => ({ name: a.file, xml: a.xml })));
  });

  it('every query it forwards to a register (1330 and 1332, fan-out legs included)', () => {
    expect(forwarded.length).toBeGreaterThan(10);
    expectAllValid('forwarded', forwarded.map((f, i) => ({ name: `${i}→${f.register}`, xml: f.xml })));
  });

  it('every forwarded query carries the SOAPAction of its own operation (1330 personensuche, 1332 freieSuche)', () => {
    const byKind = (root: string) => forwarded.filter((f) => f.xml.includes(root));
    expect(byKind('datenabruf.freieSuche.suchanfrage.1332').length).toBeGreaterThan(0);
    for (const f of byKind('datenabruf.personensuche.suchanfrage.1330')) expect(f.action).toBe('urn:xmeld-gateway:1:personensuche');
    for (const f of byKind('datenabruf.freieSuche.suchanfrage.1332')) expect(f.action).toBe('urn:xmeld-gateway:1:freieSuche');
  });

  it('every 0910 in its faults', async () => {
    const base = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
    const faults = await Promise.all([
      postSoap(h.endpoint, envelope(base)),                                                     // T010 unsigned
      postSoap(h.endpoint, h.signed(base, { as: 'untrusted' }).xml),                             // T002
      postSoap(h.endpoint, h.signed(base.replace('version="25.11a"', 'version="24.05"')).xml),   // V000
      postSoap(h.endpoint, '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x'), // X000
      postSoap(h.endpoint, h.signed(base.replace('<nachrichtenkopf.g2g>', '<nachrichtenkopf.g2g><unerwartet/>')).xml), // X001
    ]);
    for (const f of faults) expect(f.status).toBeGreaterThanOrEqual(400);
    expectAllValid('fault', faults.map((f, i) => ({ name: `fault ${i}`, xml: f.body })));
  });
});

describe.each(['25.11a', '26.11'] as const)('what the standard accepts, the gateway accepts (%s)', (release) => {
  const samplesDir = samplesDirOf(release);
  const samples = readdirSync(samplesDir).filter((f) => /-(1330|1332)(-26\.11)?\.xml$/.test(f));
  it('finds the official 1330/1332 samples', () => {
    expect(samples.length).toBeGreaterThanOrEqual(4);
  });
  for (const file of samples) {
    it(`${file} (signed by a configured sender) is not refused`, async () => {
      const res = await postSoap(h.endpoint, h.signed(readFileSync(path.join(samplesDir, file), 'utf8')).xml);
      expect(res.body.includes('returntosender.0910'), res.body.slice(0, 2_000)).toBe(false);
      expect(res.status).toBe(200);
    });
  }

});

describe('liberal where the standard is', () => {
  it('a non-digit AGS code token (any xs:token, as the standard types it) is not refused as X001, and the answer is official-valid', async () => {
    const base = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
    const nonDigit = base.replace('<code>09162000</code>', '<code>0916200A</code>');
    expect(nonDigit).not.toBe(base);
    const res = await postSoap(h.endpoint, h.signed(nonDigit).xml);
    expect(res.body).not.toMatch(/<code>X001<\/code>/);
    expectAllValid('non-digit AGS', [{ name: 'answer', xml: res.body }]);
  });

  it('an erstellungszeitpunkt without milliseconds (as zeep writes it back) is accepted', async () => {
    const base = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
    const withoutMs = base.replace(/<erstellungszeitpunkt>([^<.]*)\.\d+([^<]*)<\/erstellungszeitpunkt>/, '<erstellungszeitpunkt>$1$2</erstellungszeitpunkt>');
    expect(withoutMs).toContain('<erstellungszeitpunkt>2026-01-15T09:30:00+01:00</erstellungszeitpunkt>');
    const res = await postSoap(h.endpoint, h.signed(withoutMs).xml);
    expect(res.status).toBe(200);
    expect(res.body.includes('returntosender.0910')).toBe(false);
  });
});
