/**
 * The simulated registers over real HTTP: every fixture query in SOAP 1.1 (one case also in
 * SOAP 1.2), checked against the outcome the manifest promises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedRegisters, type SimulatedRegisters } from '../../src/simulator/server.js';
import {
  NS,
  TIMESTAMP_MS_TZ,
  UUID_V4,
  postSoap,
  readFixture,
  readManifest,
  soapEnvelope,
  summarize,
  text,
  vorgangHeader,
  withDoc,
  type ManifestEntry,
} from './helpers.js';

const manifest = await readManifest();
const byFile = (file: string): ManifestEntry => {
  const entry = manifest.find((q) => q.file === file);
  if (!entry) throw new Error(`manifest has no ${file}`);
  return entry;
};

let sim: SimulatedRegisters;

beforeAll(async () => {
  sim = await startSimulatedRegisters({ slowDelayMs: 1500 });
});
afterAll(async () => {
  await sim.close();
});

async function send(entry: ManifestEntry, version: '1.1' | '1.2' = '1.1', vorgang = `VG-${entry.file}`) {
  const envelope = soapEnvelope(version, await readFixture(entry.file), vorgangHeader(vorgang));
  return postSoap(sim.urlFor(entry.target), version, envelope);
}

describe('fixture queries in SOAP 1.1', () => {
  const answered = manifest.filter((q) => 'ergebnisstatus' in q.register || 'rueckweisung' in q.register);

  it.each(answered.map((q) => [q.file, q] as const))('%s', async (_file, entry) => {
    const res = await send(entry);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/xml/);
    const a = summarize(res.text);
    expect(a.soapNs).toBe(NS.s11);
    expect(a.root).toBe(entry.message === '1330' ? 'datenabruf.personensuche.antwort.1331' : 'datenabruf.freieSuche.antwort.1333');
    expect(a.nachrichtentyp).toBe(entry.message === '1330' ? '1331' : '1333');
    expect(a.vorgangsnummer).toBe(`VG-${entry.file}`);
    expect(a.nachrichtenUUID).toMatch(UUID_V4);
    expect(a.nachrichtenUUID).not.toBe(entry.nachrichtenUUID);
    expect(a.erstellungszeitpunkt).toMatch(TIMESTAMP_MS_TZ);
    expect(a.leser).toBe('dbs:030000010000');
    expect(a.autor).toBe(`ags:${entry.target}000000`);

    const r = entry.register;
    if ('correlation' in r) expect(a.ursprungUUID).not.toBe(entry.nachrichtenUUID);
    else expect(a.ursprungUUID).toBe(entry.nachrichtenUUID);

    if ('rueckweisung' in r) {
      expect(a.rueckweisung).toEqual(r.rueckweisung);
      expect(a.ergebnisstatus).toBeUndefined();
      if (r.rueckweisung.includes('17')) expect(a.freitext).toMatch(/Testfall/);
      return;
    }
    if (!('ergebnisstatus' in r)) throw new Error('unexpected manifest entry');
    expect(a.ergebnisstatus).toBe(r.ergebnisstatus);
    expect(a.persons).toBe(r.persons);
    expect(a.emptyPersons).toBe('dialect' in r && r.dialect === 'empty-auskunft' ? 1 : 0);
    expect(a.vendorMarker).toBe('dialect' in r && r.dialect === 'vendor-marker');
    if (r.ergebnisstatus === '02' || r.ergebnisstatus === '04') {
      expect(a.identifikationsmerkmale).toHaveLength(r.persons);
      expect(new Set(a.identifikationsmerkmale).size).toBe(r.persons);
      expect(a.partners + a.kinder).toBe(0);
    }
    if ('partner' in r) expect(a.partners).toBe(r.partner ? 1 : 0);
    if ('kinder' in r) expect(a.kinder).toBe(r.kinder);
  });

  it('a Trefferliste carries list data only and no personal data in the tokens', async () => {
    const res = await send(byFile('1330-trefferliste.xml'));
    withDoc(res.text, (doc) => {
      const persons = doc.find('//x:auskunft/x:person', NS);
      expect(persons).toHaveLength(2);
      for (const p of persons) {
        expect(text(p, 'x:personendaten/x:name/x:familienname.unstrukturiert/x:nachname/name')).toBe('Mustermensch');
        expect(p.find('x:personendaten/x:geschlecht | x:personendaten/x:staatsangehoerigkeit', NS)).toHaveLength(0);
        const token = text(p, 'x:identifikationsmerkmal') ?? '';
        expect(token).toMatch(/^SIM05-[0-9A-F]{32}$/);
        expect(token.toLowerCase()).not.toContain('muster');
      }
      // the blocked third Max Mustermensch (born 1992-12-12) is not in the list
      expect(res.text).not.toContain('1992-12-12');
    });
  });

  it('a family hit leaves out the blocked child', async () => {
    const res = await send(byFile('1330-family-hit.xml'));
    expect(res.text).toContain('Fiona');
    expect(res.text).toContain('Frieda');
    expect(res.text).not.toContain('Felix');
  });

  it('Kaputt answers HTTP 200 with a body that is not XML', async () => {
    const res = await send(byFile('1330-garbage.xml'));
    expect(res.status).toBe(200);
    expect(() => withDoc(res.text, () => undefined)).toThrow();
  });

  it('Fehler answers a SOAP 1.1 Server fault without detail', async () => {
    const res = await send(byFile('1330-fault.xml'));
    expect(res.status).toBe(500);
    withDoc(res.text, (doc) => {
      expect(text(doc, '/s11:Envelope/s11:Body/s11:Fault/faultcode')).toBe('soap:Server');
      expect(doc.find('//detail', NS)).toHaveLength(0);
    });
  });

  it('RueckSender answers a Client fault carrying a 0910 for the query', async () => {
    const entry = byFile('1330-return-to-sender.xml');
    const res = await send(entry);
    expect(res.status).toBe(500);
    withDoc(res.text, (doc) => {
      expect(text(doc, '/s11:Envelope/s11:Body/s11:Fault/faultcode')).toBe('soap:Client');
      const rts = doc.get('//detail/x:administration.returntosender.0910', NS);
      expect(rts).not.toBeNull();
      expect(text(rts!, 'x:rts.container/x:begruendung/x:grund/code')).toBe('S999');
      expect(text(rts!, 'x:ursprungsnachricht/nachrichtenUUID')).toBe(entry.nachrichtenUUID);
      expect(text(rts!, 'nachrichtenkopf.g2g/identifikation.nachricht/nachrichtentyp/code')).toBe('0910');
    });
  });

  it('Langsam answers only after the configured delay', async () => {
    const started = Date.now();
    const res = await send(byFile('1330-slow.xml'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(summarize(res.text).ergebnisstatus).toBe('03');
  });
});

describe('SOAP 1.2', () => {
  it('answers a SOAP 1.2 request in SOAP 1.2', async () => {
    const entry = byFile('1330-unique-hit.xml');
    const res = await send(entry, '1.2', 'VG-12');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/soap\+xml/);
    const a = summarize(res.text);
    expect(a.soapNs).toBe(NS.s12);
    expect(a.ergebnisstatus).toBe('01');
    expect(a.persons).toBe(1);
    expect(a.vorgangsnummer).toBe('VG-12');
    expect(a.ursprungUUID).toBe(entry.nachrichtenUUID);
  });

  it('answers a SOAP 1.2 Sender fault with status 400', async () => {
    const res = await send(byFile('1330-return-to-sender.xml'), '1.2');
    expect(res.status).toBe(400);
    withDoc(res.text, (doc) => {
      expect(text(doc, '/s12:Envelope/s12:Body/s12:Fault/s12:Code/s12:Value')).toBe('soap:Sender');
      expect(doc.find('//s12:Detail/x:administration.returntosender.0910', NS)).toHaveLength(1);
    });
  });
});

describe('echo of the gateway header', () => {
  it('copies gw:vorgang with its attributes unchanged', async () => {
    const res = await send(byFile('1330-not-found.xml'), '1.1', 'VG-2026-000042');
    withDoc(res.text, (doc) => {
      const v = doc.get('/s11:Envelope/s11:Header/gw:vorgang', NS);
      expect(v).not.toBeNull();
      expect(text(v!, '@*[local-name()="Id"]')).toBe('vg-1');
      expect(text(v!, 'gw:vorgangsnummer')).toBe('VG-2026-000042');
    });
  });

  it('answers without a header when the request had none', async () => {
    const res = await postSoap(sim.urlFor('03'), '1.1', soapEnvelope('1.1', await readFixture('1330-not-found.xml')));
    expect(res.status).toBe(200);
    withDoc(res.text, (doc) => expect(doc.find('//s11:Header', NS)).toHaveLength(0));
  });
});

describe('neutral answers', () => {
  /** Blanks what legitimately differs between two answers: ids, timestamps, correlation. */
  const mask = (xml: string): string =>
    xml
      .replace(/<nachrichtenUUID>[^<]*<\/nachrichtenUUID>/g, '<nachrichtenUUID/>')
      .replace(/<erstellungszeitpunkt>[^<]*<\/erstellungszeitpunkt>/g, '<erstellungszeitpunkt/>');

  it('not found and blocked (standard dialect) are identical except ids and timestamps', async () => {
    const notFound = await send(byFile('1330-not-found.xml'), '1.1', 'VG-same');
    const blocked = await send(byFile('1330-blocked-standard.xml'), '1.1', 'VG-same');
    expect(notFound.status).toBe(blocked.status);
    expect(notFound.contentType).toBe(blocked.contentType);
    expect(notFound.text.length).toBeGreaterThan(500);
    expect(mask(blocked.text)).toBe(mask(notFound.text));
    expect(notFound.text).not.toBe(blocked.text); // but they are two distinct messages
  });

  it('/mirror is the register of Land 03', async () => {
    const envelope = soapEnvelope('1.1', await readFixture('1330-blocked-standard.xml'), vorgangHeader('VG-m'));
    const viaMirror = await postSoap(sim.urlFor('mirror'), '1.1', envelope);
    const viaLand = await postSoap(sim.urlFor('03'), '1.1', envelope);
    expect(summarize(viaMirror.text).autor).toBe('ags:03000000');
    expect(mask(viaMirror.text)).toBe(mask(viaLand.text));
  });
});
