import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XmlDocument, type XmlElement } from 'libxml2-wasm';
import { SchemaLoadError, XmeldSchema, type ValidationResult } from '../../src/xml/xsd-validator.js';
import { schemaDir, xmeldEntryFile, gatewayXsdFile } from '../../src/xml/schema-files.js';

const shared = path.resolve(process.cwd(), '../shared');
const samplesDir = path.join(shared, 'xmeld/25.11a/samples');
const vectorsDir = path.join(shared, 'vectors/xmeld-baybis');
const instancesDir = path.resolve(process.cwd(), 'test/schemas/instances');

const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.xml')).map((f) => path.join(samplesDir, f));
const ownInstances = readdirSync(instancesDir).filter((f) => f.endsWith('.xml')).map((f) => path.join(instancesDir, f));
const kosit1332Vector = path.join(vectorsDir, 'xmeld-2511a-datenabruf.freieSuche.suchanfrage.1332_KoSIT-reference.xml');
const akdb1331Vector = path.join(vectorsDir, 'xmeld-2511a-datenabruf.personensuche.antwort.1331_AKDB-testsystem.xml');
const fakeHeader1332 = path.join(vectorsDir, 'xmeld-schema-INVALID-fake-nachrichtenkopf-1332.xml');
const kosit1330 = path.join(samplesDir, 'kosit-FachspezifischBehoerdenauskunft006a-1330.xml');
const own0910 = path.join(instancesDir, '0910-minimal.xml');
const own1331 = path.join(instancesDir, '1331-rueckweisung-14-16.xml');

let schema: XmeldSchema;
beforeAll(() => {
  schema = XmeldSchema.load();
});
afterAll(() => {
  schema.dispose();
});

function validateText(xml: string): ValidationResult {
  const doc = XmlDocument.fromString(xml);
  try {
    return schema.validate(doc);
  } finally {
    doc.dispose();
  }
}
const validateFile = (file: string): ValidationResult => validateText(readFileSync(file, 'utf8'));

function expectInvalid(result: ValidationResult): Extract<ValidationResult, { ok: false }> {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.errors.length).toBeGreaterThan(0);
  return result;
}

describe('XMeld 25.11a schema set: real instances', () => {
  it('finds the reference samples', () => {
    expect(samples.length).toBe(5);
    expect(ownInstances.length).toBeGreaterThanOrEqual(5);
  });

  it.each(samples)('sample %s is valid', (file) => {
    expect(validateFile(file)).toEqual({ ok: true });
  });

  it('the KoSIT 1332 reference vector is valid', () => {
    expect(validateFile(kosit1332Vector)).toEqual({ ok: true });
  });

  it('the AKDB 1331 (rueckweisung 14) vector is valid', () => {
    expect(validateFile(akdb1331Vector)).toEqual({ ok: true });
  });

  it('the home-made "fake nachrichtenkopf" 1332 is invalid (unknown root)', () => {
    const r = expectInvalid(validateFile(fakeHeader1332));
    expect(r.errors[0]?.reason).toContain('No matching global declaration');
    expect(r.errors[0]?.element).toBe('{http://www.osci.de/xmeld2511a}meldeauskunft.anfrage.1332');
  });
});

describe('XMeld 25.11a schema set: own instances', () => {
  it.each(ownInstances)('%s is valid', (file) => {
    expect(validateFile(file)).toEqual({ ok: true });
  });
});

describe('XMeld 25.11a schema set: strictness', () => {
  const base1330 = readFileSync(kosit1330, 'utf8');
  const base1331 = readFileSync(own1331, 'utf8');
  const base0910 = readFileSync(own0910, 'utf8');

  it('refuses a wrong version', () => {
    const r = expectInvalid(validateText(base1330.replace('version="25.11a"', 'version="25.05"')));
    expect(r.errors[0]?.reason).toBe("attribute 'version': The value does not match the fixed value constraint '25.11a'.");
  });

  it('refuses a wrong standard and a missing produkthersteller', () => {
    expectInvalid(validateText(base1330.replace('standard="XMeld"', 'standard="XInneres"')));
    const r = expectInvalid(validateText(base1330.replace(/produkthersteller="[^"]*"/, '')));
    expect(r.errors[0]?.reason).toBe("The attribute 'produkthersteller' is required but missing.");
  });

  it('refuses a wrong root element', () => {
    const r = expectInvalid(validateText(base1331.replace(/antwort\.1331/g, 'antwort.1339')));
    expect(r.errors[0]?.reason).toContain('No matching global declaration');
  });

  it('refuses a root element in no namespace', () => {
    const unqualified = base0910
      .replace('<xmeld:administration.returntosender.0910', '<administration.returntosender.0910')
      .replace('</xmeld:administration.returntosender.0910>', '</administration.returntosender.0910>');
    expectInvalid(validateText(unqualified));
  });

  it('refuses a missing nachrichtenUUID', () => {
    const r = expectInvalid(validateText(base0910.replace(/<nachrichtenUUID>4eb18062[^<]*<\/nachrichtenUUID>/, '')));
    expect(r.errors[0]?.element).toBe('nachrichtentyp');
    expect(r.errors[0]?.reason).toContain('Expected is ( nachrichtenUUID )');
  });

  it('refuses a malformed nachrichtenUUID', () => {
    const r = expectInvalid(validateText(base0910.replace('4eb18062-9f53-4c2e-a071-5d6c7b8a9f0e', '4eb18062-9f53-4c2e-a071')));
    expect(r.errors[0]).toMatchObject({ element: 'nachrichtenUUID', reason: "[facet 'pattern'] The value does not match the required pattern." });
  });

  it('refuses children in the wrong order', () => {
    // ursprungsnachricht before antwortSuchanfrage
    const doc = base1331;
    const answer = doc.slice(doc.indexOf('  <xmeld:antwortSuchanfrage>'), doc.indexOf('  <xmeld:ursprungsnachricht>'));
    const swapped = doc.replace(answer, '').replace('</xmeld:ursprungsnachricht>\n', `</xmeld:ursprungsnachricht>\n${answer}`);
    const r = expectInvalid(validateText(swapped));
    expect(r.errors[0]?.reason).toContain('This element is not expected');
  });

  it('refuses header elements in the XMeld namespace (they are unqualified)', () => {
    const qualifiedHeader = base0910.replace('<nachrichtenkopf.g2g>', '<xmeld:nachrichtenkopf.g2g>').replace('</nachrichtenkopf.g2g>', '</xmeld:nachrichtenkopf.g2g>');
    expectInvalid(validateText(qualifiedHeader));
  });

  it('refuses message elements without namespace (they are qualified)', () => {
    const r = expectInvalid(validateText(base1331.replace(/xmeld:antwortSuchanfrage/g, 'antwortSuchanfrage')));
    expect(r.errors[0]?.element).toBe('antwortSuchanfrage');
  });

  it('takes an erstellungszeitpunkt as the standard types it: any xs:dateTime (issue #18)', () => {
    expect(validateText(base1330.replace('2025-03-25T08:35:02.562+01:00', '2025-03-25T08:35:02+01:00')).ok).toBe(true);
    expect(validateText(base1330.replace('2025-03-25T08:35:02.562+01:00', '2025-03-25T08:35:02.562')).ok).toBe(true);
    expect(validateText(base1330.replace('2025-03-25T08:35:02.562+01:00', '2025-03-25T07:35:02.562Z')).ok).toBe(true);
    expectInvalid(validateText(base1330.replace('2025-03-25T08:35:02.562+01:00', '25.03.2025 08:35')));
  });

  it('requires the erreichbarkeit of the autor (XInneres Behoerde.Erreichbar), as the standard does', () => {
    const withoutErreichbarkeit = base1330.replace(/<autor>[\s\S]*?<\/autor>/, (autor) => autor.replace(/<erreichbarkeit>[\s\S]*?<\/erreichbarkeit>/g, ''));
    expect(withoutErreichbarkeit).not.toBe(base1330);
    expectInvalid(validateText(withoutErreichbarkeit));
  });

  it('refuses codes outside their code lists', () => {
    expectInvalid(validateText(base1331.replace('<code>14</code>', '<code>25</code>'))); // rueckweisung 01-24
    expectInvalid(validateText(base1330.replace('<code>1</code>', '<code>186</code>'))); // anforderungselement 1-185
    expectInvalid(validateText(base0910.replace('<code>X001</code>', '<code>X002</code>'))); // RTS v5
    expectInvalid(validateText(base0910.replace('listVersionID="5"', 'listVersionID="4"'))); // RTS list version fixed
  });

  it('takes any token as an AGS code, as the official xicgvz type does (routing, not the schema, judges it)', () => {
    const nonDigit = base1330.replace('<code>09000009</code>', '<code>09A0000X</code>');
    expect(nonDigit).not.toBe(base1330);
    expect(validateText(nonDigit)).toEqual({ ok: true });
  });

  it('refuses an auskunft with an unknown ergebnisstatus and a rueckweisung without code', () => {
    const r01 = readFileSync(path.join(instancesDir, '1331-01-eine-person.xml'), 'utf8');
    expectInvalid(validateText(r01.replace('<code>01</code>\n      </xmeld:ergebnisstatus>', '<code>05</code>\n      </xmeld:ergebnisstatus>')));
    expectInvalid(validateText(base1331.replace(/<code>16<\/code>/, '')));
  });

  it('requires the suchbereich of a 1332 and its listVersionID; an empty bundesland code is schema-valid as in 25.11a', () => {
    const base1332 = readFileSync(kosit1332Vector, 'utf8');
    expectInvalid(validateText(base1332.replace(/<xmeld:suchbereich>[\s\S]*<\/xmeld:suchbereich>/, '')));
    expectInvalid(validateText(base1332.replace('listVersionID="0">', '>')));
    expect(validateText(base1332.replace('<code>09</code>', '<code></code>')).ok).toBe(true);
  });

  it('accepts an identifikationsmerkmal-only 1330 and refuses an empty suchprofil', () => {
    const only = base1330.replace(/<xmeld:auswahldaten>[\s\S]*<\/xmeld:auswahldaten>/, '<xmeld:identifikationsmerkmal>TL-1</xmeld:identifikationsmerkmal>');
    expect(validateText(only).ok).toBe(true);
    expectInvalid(validateText(base1330.replace(/<xmeld:auswahldaten>[\s\S]*<\/xmeld:auswahldaten>/, '')));
  });

  it('accepts landesspezifischeErweiterungen with foreign content in a 1331', () => {
    const ext = base1331.replace(
      '</xmeld:datenabruf.personensuche.antwort.1331>',
      '  <xmeld:landesspezifischeErweiterungen><v:info xmlns:v="urn:example:vendor" a="1"><v:x>y</v:x></v:info></xmeld:landesspezifischeErweiterungen>\n</xmeld:datenabruf.personensuche.antwort.1331>',
    );
    expect(validateText(ext).ok).toBe(true);
  });
});

describe('validation messages carry no document values', () => {
  const base1330 = readFileSync(kosit1330, 'utf8');
  const secret = "Müller-O'Brien 'is not a valid value of the atomic type 'x'";
  const cases: [string, string][] = [
    ['pattern', base1330.replace('b47016cf-bec4-5980-9a23-38b421c2c9d8', secret)],
    ['atomic type', base1330.replace('2007-05-30', secret)],
    ['fixed', base1330.replace('version="25.11a"', `version="${secret.replace(/'/g, '&apos;')}"`)],
    ['boolean', base1330.replace('<xmeld:sicherheitsbehoerde>true', `<xmeld:sicherheitsbehoerde>${secret}`)],
    ['code', base1330.replace('<code>1</code>', `<code>${secret}</code>`)], // anforderungselement: a listed code
    ['text content', base1330.replace('<xmeld:suchprofil>', `<xmeld:suchprofil>${secret}`)],
  ];
  it.each(cases)('%s', (_name, xml) => {
    const r = expectInvalid(validateText(xml));
    const text = JSON.stringify(r.errors);
    expect(text).not.toContain('Müller');
    expect(text).not.toContain('Brien');
    for (const e of r.errors) expect(e.line).toBeGreaterThan(0);
  });
});

describe('validating the XMeld element inside a SOAP Body', () => {
  function inEnvelope(xml: string): string {
    const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '').replace(/<!--[\s\S]*?-->\s*/, '');
    return `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header><gw:vorgang xmlns:gw="urn:xmeld-gateway:1"><gw:vorgangsnummer>03-1</gw:vorgangsnummer></gw:vorgang></soap:Header>
  <soap:Body>${body}</soap:Body>
</soap:Envelope>`;
  }
  function bodyChild(doc: XmlDocument): XmlElement {
    const el = doc.get('/*[local-name()="Envelope"]/*[local-name()="Body"]/*');
    if (el === null) throw new Error('no body child');
    return el as XmlElement;
  }

  it('validates the subtree in place (valid and invalid), without validating the envelope', () => {
    const valid = XmlDocument.fromString(inEnvelope(readFileSync(kosit1330, 'utf8')));
    const invalid = XmlDocument.fromString(inEnvelope(readFileSync(kosit1330, 'utf8').replace('version="25.11a"', 'version="1"')));
    try {
      expect(schema.validate(valid).ok).toBe(false); // the envelope is not an XMeld root
      expect(schema.validate(bodyChild(valid))).toEqual({ ok: true });
      const r = expectInvalid(schema.validate(bodyChild(invalid)));
      expect(r.errors[0]?.reason).toContain("attribute 'version'");
    } finally {
      valid.dispose();
      invalid.dispose();
    }
  });
});

describe('XmeldSchema lifecycle', () => {
  it('validates many documents with one compiled set and refuses use after dispose', () => {
    const s = XmeldSchema.load();
    const xml = readFileSync(own0910, 'utf8');
    for (let i = 0; i < 50; i++) {
      const d = XmlDocument.fromString(xml);
      expect(s.validate(d).ok).toBe(true);
      d.dispose();
    }
    s.dispose();
    s.dispose(); // idempotent
    const d = XmlDocument.fromString(xml);
    try {
      expect(() => s.validate(d)).toThrow(/disposed/);
    } finally {
      d.dispose();
    }
  });

  it('compiles the gateway header schema and checks gw:vorgang', () => {
    const gw = XmeldSchema.load(schemaDir, gatewayXsdFile);
    const ok = XmlDocument.fromString(
      '<gw:vorgang xmlns:gw="urn:xmeld-gateway:1" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" wsu:Id="vg-1"><gw:vorgangsnummer>03-20261123061000123-a1b2c30000-ags:03241001</gw:vorgangsnummer></gw:vorgang>',
    );
    const bad = XmlDocument.fromString('<gw:vorgang xmlns:gw="urn:xmeld-gateway:1" Id="x"><gw:vorgangsnummer>a b</gw:vorgangsnummer></gw:vorgang>');
    try {
      expect(gw.validate(ok)).toEqual({ ok: true });
      const r = expectInvalid(gw.validate(bad));
      expect(r.errors.map((e) => e.reason).join(' ')).toMatch(/attribute 'Id'|pattern/);
    } finally {
      ok.dispose();
      bad.dispose();
      gw.dispose();
    }
  });

  it('refuses to load a missing entry', () => {
    expect(() => XmeldSchema.load(schemaDir, 'xmeld-2511a/nope.xsd')).toThrow(/not found/);
  });

  it('reports a broken schema set and never fetches includes from elsewhere', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xsd-'));
    const outside = path.join(os.tmpdir(), `${path.basename(dir)}-outside.xsd`);
    try {
      const head = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">';
      const typeT = `${head}<xs:simpleType name="t"><xs:restriction base="xs:string"/></xs:simpleType></xs:schema>`;
      const including = (loc: string): string => `${head}<xs:include schemaLocation="${loc}"/><xs:element name="a" type="t:t"/></xs:schema>`;
      writeFileSync(path.join(dir, 't.xsd'), typeT);
      writeFileSync(outside, typeT);
      writeFileSync(path.join(dir, 'inside.xsd'), including('t.xsd'));
      writeFileSync(path.join(dir, 'outside.xsd'), including(`../${path.basename(outside)}`));
      writeFileSync(path.join(dir, 'remote.xsd'), including('http://127.0.0.1:9/t.xsd'));
      writeFileSync(path.join(dir, 'broken.xsd'), `${head}<xs:element name="a" type="t:nope"/></xs:schema>`);
      XmeldSchema.load(dir, 'inside.xsd').dispose(); // control: includes inside the folder work
      expect(() => XmeldSchema.load(dir, 'outside.xsd')).toThrow(/Failed to load the document/);
      expect(() => XmeldSchema.load(dir, 'remote.xsd')).toThrow(SchemaLoadError);
      expect(() => XmeldSchema.load(dir, 'broken.xsd')).toThrow(SchemaLoadError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(outside, { force: true });
    }
  });
});

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasXmllint())('cross-check with the xmllint CLI', () => {
  const entry = path.join(schemaDir, xmeldEntryFile);
  function xmllint(file: string): boolean {
    try {
      execFileSync('xmllint', ['--noout', '--nonet', '--schema', entry, file], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  }
  it.each([...samples, kosit1332Vector, akdb1331Vector, ...ownInstances])('xmllint agrees: %s is valid', (file) => {
    expect(xmllint(file)).toBe(true);
  });
  it('xmllint agrees: the fake-header 1332 is invalid', () => {
    expect(xmllint(fakeHeader1332)).toBe(false);
  });
  it('xmllint agrees on the refusals (version, UUID, order, unqualified message element)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xmllint-'));
    try {
      const base1330 = readFileSync(kosit1330, 'utf8');
      const base0910 = readFileSync(own0910, 'utf8');
      const cases = [
        base1330.replace('version="25.11a"', 'version="25.05"'),
        base0910.replace('4eb18062-9f53-4c2e-a071-5d6c7b8a9f0e', '4eb18062-9f53-4c2e-a071'),
        base0910.replace(/<xmeld:rts\.container>[\s\S]*<\/xmeld:rts\.container>\n/, ''),
        base1330.replace(/xmeld:datenAbrufendeStelle/g, 'datenAbrufendeStelle'),
      ];
      cases.forEach((xml, i) => {
        const file = path.join(dir, `case-${i}.xml`);
        writeFileSync(file, xml);
        expect(validateFile(file).ok).toBe(false);
        expect(xmllint(file)).toBe(false);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
