import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XmlDocument, XmlElement, XmlText, type XmlTreeNode } from 'libxml2-wasm';
import { describe, expect, it } from 'vitest';
import { BusinessRejection } from '../../src/errors.js';
import { RELEASE_FACTS, type Release } from '../../src/xmeld/releases.js';
import { RELEASE_RULES } from '../../src/xmeld/translate/release-rules.js';
import { translateRelease, type TranslatedXml } from '../../src/xmeld/translate/translate-release.js';
import type { MessageNumber } from '../../src/xmeld/namespaces.js';
import { officialVerdict } from '../support/official-xmeld.js';
import { sharedDir } from '../support/paths.js';

const tested = new Set<string>();

function translate(xml: string, message: MessageNumber, from: Release, to: Release, at?: string): TranslatedXml {
  const doc = XmlDocument.fromString(xml);
  try {
    const result = translateRelease(doc.root, { message, from, to, ...(at === undefined ? {} : { path: at }) });
    for (const id of result.applied) tested.add(id);
    return result;
  } finally {
    doc.dispose();
  }
}

function refusal(run: () => unknown): BusinessRejection {
  try {
    run();
  } catch (e) {
    if (e instanceof BusinessRejection) return e;
    throw e;
  }
  throw new Error('not refused');
}

const samples = (release: Release) => {
  const dir = path.join(sharedDir, 'xmeld', release, 'samples');
  return readdirSync(dir).filter((f) => f.endsWith('.xml')).map((f) => ({ file: f, xml: readFileSync(path.join(dir, f), 'utf8') }));
};
const numberOf = (file: string): MessageNumber => (/-(133[0-3])(?:-|\.)/.exec(file)?.[1] ?? '1331') as MessageNumber;

describe('the official samples across releases (the standard\'s verdict by xmllint)', () => {
  for (const s of samples('25.11a')) {
    it(`${s.file} → 26.11 is valid XMeld 26.11`, () => {
      const out = translate(s.xml, numberOf(s.file), '25.11a', '26.11');
      expect(out.xml).toContain(RELEASE_FACTS['26.11'].namespace);
      expect(out.xml).not.toContain(RELEASE_FACTS['25.11a'].namespace);
      const verdict = officialVerdict('26.11', out.xml);
      expect(verdict.valid, verdict.errors).toBe(true);
      expect(officialVerdict('25.11a', out.xml).valid).toBe(false);
    });
  }
  for (const s of samples('26.11')) {
    const number = numberOf(s.file);
    if (number === '1332') continue; // its search by sex includes former entries: below
    it(`${s.file} → 25.11a is valid XMeld 25.11a`, () => {
      const out = translate(s.xml, number, '26.11', '25.11a');
      const verdict = officialVerdict('25.11a', out.xml);
      expect(verdict.valid, verdict.errors).toBe(true);
    });
  }
  it('the 26.11 1332 sample (aktualitaetGeschlechtseintrag 01) cannot be asked in 25.11a: rueckweisung 17', () => {
    const s = samples('26.11').find((x) => numberOf(x.file) === '1332');
    expect(s).toBeDefined();
    const r = refusal(() => translate(s?.xml ?? '', '1332', '26.11', '25.11a'));
    expect(r.codes).toEqual(['17']);
    expect(r.freitext).toContain('25.11a');
  });
  it('the 25.11a 1332 sample, up and down again, is the same search', () => {
    const s = samples('25.11a').find((x) => numberOf(x.file) === '1332');
    const up = translate(s?.xml ?? '', '1332', '25.11a', '26.11');
    const down = translate(up.xml, '1332', '26.11', '25.11a');
    expect(shape(down.xml)).toEqual(shape(s?.xml ?? ''));
  });
});

/** What a message says, for comparing: names with namespaces, attributes, trimmed text. */
function shape(xml: string): unknown {
  const doc = XmlDocument.fromString(xml);
  const walk = (el: XmlElement): unknown => {
    const children: unknown[] = [];
    let text = '';
    for (let n: XmlTreeNode | null = el.firstChild; n !== null; n = n.next) {
      if (n instanceof XmlElement) children.push(walk(n));
      else if (n instanceof XmlText) text += n.content;
    }
    const attrs = el.attrs.filter((a) => a.name !== 'schemaLocation').map((a) => `${a.namespaceUri}|${a.name}=${a.value}`).sort();
    return { name: `${el.namespaceUri}|${el.name}`, attrs, text: text.trim(), children };
  };
  try {
    return walk(doc.root);
  } finally {
    doc.dispose();
  }
}

/** Compact form for comparing: no white space between tags, no schemaLocation hint. */
function canonical(xml: string): string {
  return xml.replace(/<\?xml[^>]*\?>/, '').replace(/\s+xsi:schemaLocation="[^"]*"/, '').replace(/>\s+</g, '><').trim();
}

const X = (release: Release) => RELEASE_FACTS[release].namespace;
const root = (n: MessageNumber, release: Release, inner: string) => {
  const names: Record<MessageNumber, string> = {
    '1330': 'datenabruf.personensuche.suchanfrage.1330',
    '1331': 'datenabruf.personensuche.antwort.1331',
    '1332': 'datenabruf.freieSuche.suchanfrage.1332',
    '1333': 'datenabruf.freieSuche.antwort.1333',
    '0910': 'administration.returntosender.0910',
  };
  return `<xmeld:${names[n]} xmlns:xmeld="${X(release)}" version="${release}" standard="XMeld">${inner}</xmeld:${names[n]}>`;
};
const header = (release: string, withList = true) =>
  `<nachrichtenkopf.g2g><identifikation.nachricht><nachrichtentyp listURI="urn:de:xmeld:schluesseltabelle:xmeld.nachrichten"${withList ? ` listVersionID="${release}"` : ''}><code>1330</code></nachrichtentyp></identifikation.nachricht></nachrichtenkopf.g2g>`;
const anforderung = (code: string, list?: string) =>
  `<xmeld:anforderungselement${list ? ` listVersionID="${list}"` : ''}><code>${code}</code></xmeld:anforderungselement>`;
const person1331 = (geschlecht: string) =>
  `<xmeld:antwortSuchanfrage><xmeld:auskunft><xmeld:person><xmeld:personendaten>${geschlecht}</xmeld:personendaten></xmeld:person></xmeld:auskunft></xmeld:antwortSuchanfrage>`;

describe('the translation table, row by row', () => {
  it('version: the root carries the target release, the hint is gone', () => {
    const up = translate(root('1330', '25.11a', '').replace('standard=', 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="a b" standard='), '1330', '25.11a', '26.11');
    expect(up.xml).toMatch(/version="26\.11"/);
    expect(up.xml).not.toContain('schemaLocation');
  });

  it('nachrichtentyp: listVersionID follows the release where given, stays absent where not', () => {
    const given = translate(root('1330', '25.11a', header('25.11a')), '1330', '25.11a', '26.11');
    expect(given.xml).toContain('listVersionID="26.11"');
    expect(given.xml).not.toContain('25.11a');
    const absent = translate(root('1330', '26.11', header('26.11', false)), '1330', '26.11', '25.11a');
    expect(absent.xml).not.toContain('listVersionID');
    const ursprung = translate(root('0910', '26.11', `<xmeld:ursprungsnachricht><nachrichtentyp listURI="urn:de:xmeld:schluesseltabelle:xmeld.nachrichten" listVersionID="26.11"><code>1330</code></nachrichtentyp></xmeld:ursprungsnachricht>`), '0910', '26.11', '25.11a');
    expect(ursprung.xml).toContain('listVersionID="25.11a"');
  });

  it('anforderungselement: list version 2 ↔ 3; 186, 187 (1330) and 47 (1332) cannot go down', () => {
    const steuerung = (codes: string) => `<xmeld:steuerungsinformationen>${codes}</xmeld:steuerungsinformationen>`;
    const up = translate(root('1330', '25.11a', steuerung(anforderung('1', '2') + anforderung('2'))), '1330', '25.11a', '26.11');
    expect(up.xml).toContain('<xmeld:anforderungselement listVersionID="3"><code>1</code>');
    expect(up.xml).toContain('<xmeld:anforderungselement><code>2</code>');
    const down = translate(root('1332', '26.11', steuerung(anforderung('46', '3'))), '1332', '26.11', '25.11a');
    expect(down.xml).toContain('listVersionID="2"');
    for (const [n, code] of [['1330', '186'], ['1330', '187'], ['1332', '47']] as const) {
      const r = refusal(() => translate(root(n, '26.11', steuerung(anforderung('1') + anforderung(code, '3'))), n, '26.11', '25.11a'));
      expect(r.codes).toEqual(['17']);
      expect(r.freitext).toContain(code);
    }
    // 186 in 1330 goes up unchanged (it exists only in 26.11, so a 25.11a caller cannot send it: XSD).
  });

  it('1332 geschlecht up: the current entry is searched (aktualitaetGeschlechtseintrag 02)', () => {
    const q = root('1332', '25.11a', '<xmeld:suchprofil><xmeld:auswahldaten><xmeld:geschlecht listVersionID="1"><code>w</code></xmeld:geschlecht></xmeld:auswahldaten></xmeld:suchprofil>');
    const up = translate(q, '1332', '25.11a', '26.11');
    expect(canonical(up.xml)).toContain(
      '<xmeld:geschlecht><xmeld:geschlechtseintrag listVersionID="1"><code>w</code></xmeld:geschlechtseintrag>'
      + '<xmeld:aktualitaetGeschlechtseintrag listURI="urn:xoev-de:xmeld:codeliste:freie.suche.aktualitaet.geschlechtseintrag" listVersionID="1"><code>02</code></xmeld:aktualitaetGeschlechtseintrag></xmeld:geschlecht>');
    expect(up.applied).toContain('1332.geschlecht.up');
  });

  it('1332 geschlecht down: current-only maps back to the code; including former entries is refused (17)', () => {
    const q = (aktualitaet: string) => root('1332', '26.11', `<xmeld:suchprofil><xmeld:auswahldaten><xmeld:geschlecht><xmeld:geschlechtseintrag listVersionID="1"><code>m</code></xmeld:geschlechtseintrag><xmeld:aktualitaetGeschlechtseintrag><code>${aktualitaet}</code></xmeld:aktualitaetGeschlechtseintrag></xmeld:geschlecht></xmeld:auswahldaten></xmeld:suchprofil>`);
    const down = translate(q('02'), '1332', '26.11', '25.11a');
    expect(canonical(down.xml)).toContain('<xmeld:auswahldaten><xmeld:geschlecht listVersionID="1"><code>m</code></xmeld:geschlecht></xmeld:auswahldaten>');
    expect(down.applied).toContain('1332.geschlecht.down');
    expect(refusal(() => translate(q('01'), '1332', '26.11', '25.11a')).codes).toEqual(['17']);
  });

  it('1331 geschlecht up: the code becomes the container\'s current entry', () => {
    const a = root('1331', '25.11a', person1331('<xmeld:geschlecht listVersionID="1"><code>d</code></xmeld:geschlecht>'));
    const up = translate(a, '1331', '25.11a', '26.11');
    expect(canonical(up.xml)).toContain('<xmeld:personendaten><xmeld:geschlecht><xmeld:geschlecht listVersionID="1"><code>d</code></xmeld:geschlecht></xmeld:geschlecht></xmeld:personendaten>');
    expect(up.applied).toContain('1331.geschlecht.up');
  });

  it('1331 geschlecht down: the current entry only; a former entry leaves no trace anywhere', () => {
    const frueher = '<xmeld:fruehererGeschlechtseintrag><xmeld:fruehererGeschlechtseintrag listVersionID="1"><code>m</code></xmeld:fruehererGeschlechtseintrag>'
      + '<xmeld:fruehererGeschlechtseintrag.aenderungsdatum>2025-03-01</xmeld:fruehererGeschlechtseintrag.aenderungsdatum>'
      + '<xmeld:fruehererGeschlechtseintrag.behoerdeUndAktenzeichen>Standesamt Geheim AZ-4711</xmeld:fruehererGeschlechtseintrag.behoerdeUndAktenzeichen></xmeld:fruehererGeschlechtseintrag>';
    const a = root('1331', '26.11', person1331(`<xmeld:geschlecht><xmeld:geschlecht listVersionID="1"><code>w</code></xmeld:geschlecht>${frueher}</xmeld:geschlecht>`));
    const down = translate(a, '1331', '26.11', '25.11a');
    expect(canonical(down.xml)).toContain('<xmeld:personendaten><xmeld:geschlecht listVersionID="1"><code>w</code></xmeld:geschlecht></xmeld:personendaten>');
    for (const trace of ['frueher', '2025-03-01', 'Geheim', 'AZ-4711', '<code>m</code>']) expect(down.xml).not.toContain(trace);
    expect(down.applied).toContain('1331.geschlecht.down');
    expect(down.dropped).toEqual(['fruehererGeschlechtseintrag']);
    // Only former entries: no geschlecht at all, rather than a former one posing as current.
    const onlyFormer = translate(root('1331', '26.11', person1331(`<xmeld:geschlecht>${frueher}</xmeld:geschlecht>`)), '1331', '26.11', '25.11a');
    expect(canonical(onlyFormer.xml)).toContain('<xmeld:personendaten></xmeld:personendaten>');
  });

  it('1333 fruehererGeschlechtseintrag down: dropped', () => {
    const a = root('1333', '26.11', '<xmeld:antwortSuchanfrage><xmeld:auskunft><xmeld:person><xmeld:personendaten><xmeld:waffenbesitzverbot>false</xmeld:waffenbesitzverbot><xmeld:fruehererGeschlechtseintrag listVersionID="1"><code>m</code></xmeld:fruehererGeschlechtseintrag><xmeld:verzogen>false</xmeld:verzogen></xmeld:personendaten></xmeld:person></xmeld:auskunft></xmeld:antwortSuchanfrage>');
    const down = translate(a, '1333', '26.11', '25.11a');
    expect(canonical(down.xml)).toContain('<xmeld:waffenbesitzverbot>false</xmeld:waffenbesitzverbot><xmeld:verzogen>false</xmeld:verzogen>');
    expect(down.xml).not.toContain('frueher');
    expect(down.applied).toContain('1333.fruehererGeschlechtseintrag.down');
    expect(down.dropped).toEqual(['fruehererGeschlechtseintrag']);
  });

  it('a person alone (as an answer carries it) translates with its namespaces declared on itself', () => {
    const a = root('1331', '25.11a', person1331('<xmeld:geschlecht listVersionID="1"><code>w</code></xmeld:geschlecht>'));
    const doc = XmlDocument.fromString(a);
    try {
      const person = doc.get('//*[local-name()="person"]');
      expect(person).not.toBeNull();
      const out = translateRelease(person as never, { message: '1331', from: '25.11a', to: '26.11', path: 'antwortSuchanfrage/auskunft/person' });
      expect(out.xml.startsWith(`<xmeld:person xmlns:xmeld="${X('26.11')}">`)).toBe(true);
      expect(out.applied).toEqual(['1331.geschlecht.up']);
      expect(out.dropped).toEqual([]);
    } finally {
      doc.dispose();
    }
  });

  it('escapes text and attributes as it writes them', () => {
    const out = translate(root('0910', '25.11a', '<xmeld:x a="&quot;&amp;&lt;">1 &lt; 2 &amp; 3</xmeld:x>'), '0910', '25.11a', '26.11');
    expect(out.xml).toContain('<xmeld:x a="&quot;&amp;&lt;">1 &lt; 2 &amp; 3</xmeld:x>');
  });

  it('every rule of the table is tested', () => {
    expect([...tested].sort()).toEqual(RELEASE_RULES.map((r) => r.id).sort());
  });
});
