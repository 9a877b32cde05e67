import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/gateway-config.js';
import { LAND_CODES } from '../../src/routing/laender.js';
import type { RegisterBehaviour } from '../../src/simulator/server.js';
import { ReleaseSchemas } from '../../src/xmeld/release-schemas.js';
import { RELEASE_FACTS, type Release } from '../../src/xmeld/releases.js';
import { translateQuery } from '../../src/xmeld/translate/translate-query.js';
import { collect } from '../protocol/fixtures.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { officialVerdictsByRelease, releaseOfMessage, xmeldMessageOf } from '../support/official-xmeld.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

/**
 * Issue #19: callers and registers in 25.11a and 26.11, in all four combinations, for 1330 and
 * 1332 with each outcome. The caller is answered in its own release; the register is asked in
 * one it takes; what a 25.11a caller cannot receive (the former sex entry) never reaches it.
 */
const RELEASES = ['25.11a', '26.11'] as const;
const schemas = ReleaseSchemas.load();
afterAll(() => schemas.dispose());

const fixture = (file: string): string => readFileSync(path.join(fixturesDir, 'queries', file), 'utf8');
const SURNAME = '<name>Testfrau</name>';

/** A 25.11a fixture in the caller's release (26.11: by the translation table, schema-checked). */
function inRelease(xml25: string, release: Release): string {
  if (release === '25.11a') return xml25;
  const message = xml25.includes('freieSuche.suchanfrage.1332') ? '1332' : '1330';
  return translateQuery(xml25, { message, from: '25.11a', to: release }, schemas.validator);
}

interface Case {
  name: string;
  xml: string;
  expect: { ergebnisstatus?: string; rueckweisung?: string[]; persons?: number };
}

const CASES: Case[] = [
  { name: '1330 hit', xml: fixture('1330-unique-hit.xml'), expect: { ergebnisstatus: '01', persons: 1 } },
  { name: '1330 Trefferliste', xml: fixture('1330-trefferliste.xml'), expect: { ergebnisstatus: '02', persons: 2 } },
  { name: '1330 neutral', xml: fixture('1330-not-found.xml'), expect: { ergebnisstatus: '03', persons: 0 } },
  { name: '1330 rejection', xml: fixture('1330-rueckweisung-17.xml'), expect: { rueckweisung: ['17'] } },
  { name: '1332 hit list (Ergebnisliste of one)', xml: fixture('1332-free-search-kreis.xml'), expect: { ergebnisstatus: '04', persons: 1 } },
  { name: '1332 Ergebnisliste', xml: fixture('1332-free-search-land.xml'), expect: { ergebnisstatus: '04', persons: 2 } },
  { name: '1332 neutral', xml: fixture('1332-free-search-none.xml'), expect: { ergebnisstatus: '03', persons: 0 } },
  { name: '1332 rejection', xml: fixture('1332-free-search-kreis.xml').replace(SURNAME, '<name>Rueckweisung17</name>'), expect: { rueckweisung: ['17'] } },
];

/** Every register and its route take exactly `releases`. */
function registersSpeaking(releases: Release[]): { config: (c: GatewayConfig) => void; behaviour: Partial<Record<(typeof LAND_CODES)[number], RegisterBehaviour>> } {
  return {
    config: (c) => {
      if (c.routes.mirror) c.routes.mirror.xmeldReleases = releases;
      for (const land of LAND_CODES) {
        const r = c.routes.laender[land];
        if (r) r.xmeldReleases = releases;
      }
    },
    behaviour: Object.fromEntries(LAND_CODES.map((l) => [l, { xmeldReleases: releases }])),
  };
}

async function startWith(releases: Release[], forwarded: string[]): Promise<Harness> {
  const r = registersSpeaking(releases);
  return startHarness({
    config: r.config,
    simulator: { behaviour: r.behaviour, onRequest: (_land, body) => { forwarded.push(body.toString('utf8')); } },
  });
}

const answered: { name: string; xml: string }[] = [];

describe.each(RELEASES)('registers that speak only %s', (registerRelease) => {
  let h: Harness;
  const forwarded: string[] = [];
  beforeAll(async () => {
    h = await startWith([registerRelease], forwarded);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe.each(RELEASES)('a caller that speaks %s', (callerRelease) => {
    it.each(CASES.map((c) => [c.name, c] as const))('%s: answered in the caller\'s release, asked in the register\'s', async (_name, c) => {
      const before = forwarded.length;
      const res = await postSoap(h.endpoint, h.signed(inRelease(c.xml, callerRelease)).xml);
      const facts = answerFacts(res.body);
      expect(res.status).toBe(200);
      expect(facts.xmeldNamespace).toBe(RELEASE_FACTS[callerRelease].namespace);
      if (c.expect.ergebnisstatus !== undefined) expect(facts.ergebnisstatus).toBe(c.expect.ergebnisstatus);
      if (c.expect.persons !== undefined) expect(facts.persons).toBe(c.expect.persons);
      if (c.expect.rueckweisung !== undefined) expect(facts.rueckweisung).toEqual(c.expect.rueckweisung);
      const sent = forwarded.slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const f of sent) expect(releaseOfMessage(xmeldMessageOf(f) ?? '')).toBe(registerRelease);
      answered.push({ name: `${callerRelease}→${registerRelease} ${c.name}`, xml: res.body });
    });
  });

  it('every answer and every forwarded query is valid against the official schemas of its release', () => {
    const messages = [...answered.map((a) => a.xml), ...forwarded].map((x) => xmeldMessageOf(x) as string);
    const invalid = officialVerdictsByRelease(messages).filter((v) => !v.valid);
    expect(invalid.map((v) => `${v.release}: ${v.errors}`)).toEqual([]);
  });

  it('protocols each hop in its release, and where the gateway translated, from which', async () => {
    const records = await collect(h.gateway.protocol.export({}, { kind: 'dpo', id: 'xmeld-releases-test' }));
    const dispatched = records.filter((r) => r.hop === 'dispatched');
    expect(dispatched.length).toBeGreaterThan(0);
    for (const r of dispatched) {
      expect(r.xmeldRelease).toBe(registerRelease);
      const callerOf = records.find((x) => x.vorgangsnummer === r.vorgangsnummer && x.hop === 'received')?.xmeldRelease;
      expect(r.translatedFrom).toBe(callerOf === registerRelease ? undefined : callerOf);
    }
    // Each caller release was received in this harness.
    expect(new Set(records.filter((r) => r.hop === 'received').map((r) => r.xmeldRelease))).toEqual(new Set(RELEASES));
  });
});

describe('registers that speak both releases', () => {
  let h: Harness;
  const forwarded: string[] = [];
  beforeAll(async () => {
    h = await startWith(['25.11a', '26.11'], forwarded);
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(RELEASES)('are asked in the caller\'s own release (%s), untranslated', async (release) => {
    const before = forwarded.length;
    const res = await postSoap(h.endpoint, h.signed(inRelease(fixture('1330-unique-hit.xml'), release)).xml);
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
    expect(releaseOfMessage(xmeldMessageOf(forwarded[before] ?? '') ?? '')).toBe(release);
  });
});

describe('the former sex entry (§ 13 SBGG) never reaches a 25.11a caller', () => {
  let h: Harness;
  const forwarded: string[] = [];
  beforeAll(async () => {
    h = await startWith(['26.11'], forwarded);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a 26.11 caller receives it from a 26.11 register (the simulator gives it: the check can fail)', async () => {
    const res = await postSoap(h.endpoint, h.signed(inRelease(fixture('1330-unique-hit.xml'), '26.11')).xml);
    expect(res.body).toContain('fruehererGeschlechtseintrag');
  });

  it.each([
    ['1331', fixture('1330-unique-hit.xml')],
    ['1333', fixture('1332-free-search-land.xml')],
  ])('%s to a 25.11a caller: the current entry only, nowhere the former one', async (_n, xml) => {
    const res = await postSoap(h.endpoint, h.signed(xml).xml);
    const facts = answerFacts(res.body);
    expect(facts.persons).toBeGreaterThan(0);
    expect(res.body).not.toContain('frueherer');
    // Erika Testfrau's former entry is "m", her current one "w": no "m" code anywhere.
    expect(res.body).toMatch(/<xmeld:geschlecht[^>]*>\s*<code>w<\/code>/);
    expect(res.body).not.toMatch(/<code>m<\/code>/);
    expect(facts.freitexte.join(' ')).not.toMatch(/m\b/);
  });
});

describe('what a register\'s release cannot ask', () => {
  let h: Harness;
  const forwarded: string[] = [];
  beforeAll(async () => {
    h = await startWith(['25.11a'], forwarded);
  });
  afterAll(async () => {
    await h?.close();
  });

  const withGeschlecht = (aktualitaet: '01' | '02'): string => inRelease(fixture('1332-free-search-land.xml'), '26.11').replace(
    '</xmeld:name>\n    </xmeld:auswahldaten>',
    '</xmeld:name>\n      <xmeld:geschlecht><xmeld:geschlechtseintrag listVersionID="1"><code>w</code></xmeld:geschlechtseintrag>'
      + `<xmeld:aktualitaetGeschlechtseintrag listVersionID="1"><code>${aktualitaet}</code></xmeld:aktualitaetGeschlechtseintrag></xmeld:geschlecht>\n    </xmeld:auswahldaten>`,
  );

  it('a 26.11 free search that includes former entries (01) is refused with 17 and never forwarded', async () => {
    const query = withGeschlecht('01');
    expect(query).toContain('aktualitaetGeschlechtseintrag');
    const before = forwarded.length;
    const facts = answerFacts((await postSoap(h.endpoint, h.signed(query).xml)).body);
    expect(facts.rueckweisung).toEqual(['17']);
    expect(facts.freitexte.join(' ')).toContain('25.11a');
    expect(forwarded.length).toBe(before);
  });

  it('one that counts only the current entry (02) is asked as a 25.11a search by sex', async () => {
    const before = forwarded.length;
    const facts = answerFacts((await postSoap(h.endpoint, h.signed(withGeschlecht('02')).xml)).body);
    expect(facts.ergebnisstatus).toBe('04');
    const sent = xmeldMessageOf(forwarded[before] ?? '') ?? '';
    expect(sent).toMatch(/<xmeld:geschlecht[^>]*>\s*<code>w<\/code>/);
    expect(sent).not.toContain('aktualitaet');
  });

  it('a 26.11 person search for the former entry (186) is refused with 17', async () => {
    const query = inRelease(fixture('1330-unique-hit.xml'), '26.11').replace(
      '<xmeld:anforderungselement>',
      '<xmeld:anforderungselement><code>186</code></xmeld:anforderungselement><xmeld:anforderungselement>',
    );
    const facts = answerFacts((await postSoap(h.endpoint, h.signed(query).xml)).body);
    expect(facts.rueckweisung).toEqual(['17']);
  });
});
