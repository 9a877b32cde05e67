/** Test helpers: wrap bare XMeld in SOAP, post it, read the answer back with libxml2. */
import { readFile } from 'node:fs/promises';
import { XmlDocument, type XmlNode } from 'libxml2-wasm';
import { parse } from 'yaml';
import type { FixtureQuery } from '../../src/simulator/fixture-queries.js';

export const FIXTURE_DIR = new URL('../../fixtures/queries/', import.meta.url);
export const NS = {
  x: 'http://www.osci.de/xmeld2511a',
  gw: 'urn:xmeld-gateway:1',
  s11: 'http://schemas.xmlsoap.org/soap/envelope/',
  s12: 'http://www.w3.org/2003/05/soap-envelope',
  sim: 'urn:xmeld-gateway:simulator:vendor',
};

export type ManifestEntry = Pick<FixtureQuery, 'file' | 'message' | 'target' | 'description' | 'register' | 'gateway'> & {
  nachrichtenUUID: string;
};

export async function readManifest(): Promise<ManifestEntry[]> {
  const text = await readFile(new URL('manifest.yaml', FIXTURE_DIR), 'utf8');
  return (parse(text) as { queries: ManifestEntry[] }).queries;
}

export async function readFixture(file: string): Promise<string> {
  return (await readFile(new URL(file, FIXTURE_DIR), 'utf8')).replace(/^<\?xml[^>]*\?>\s*/, '');
}

export function vorgangHeader(nummer: string): string {
  return `<gw:vorgang xmlns:gw="urn:xmeld-gateway:1" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" wsu:Id="vg-1"><gw:vorgangsnummer>${nummer}</gw:vorgangsnummer></gw:vorgang>`;
}

export function soapEnvelope(version: '1.1' | '1.2', message: string, header?: string): string {
  const ns = version === '1.1' ? NS.s11 : NS.s12;
  const h = header ? `<env:Header>${header}</env:Header>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${ns}">${h}<env:Body>${message}</env:Body></env:Envelope>`;
}

export interface PostResult {
  status: number;
  contentType: string;
  text: string;
}

export async function postSoap(url: string, version: '1.1' | '1.2', envelope: string): Promise<PostResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8' },
    body: envelope,
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Parses an answer envelope; the callback reads it, the document is freed afterwards. */
export function withDoc<T>(xml: string, read: (doc: XmlDocument) => T): T {
  const doc = XmlDocument.fromString(xml);
  try {
    return read(doc);
  } finally {
    doc.dispose();
  }
}

export function text(node: XmlNode | XmlDocument, xpath: string): string | undefined {
  const found = node.get(xpath, NS);
  return found ? found.content.trim() : undefined;
}

export function count(node: XmlNode | XmlDocument, xpath: string): number {
  return node.find(xpath, NS).length;
}

/** The parts of a 1331/1333 the tests look at. */
export interface AnswerSummary {
  soapNs: string;
  root: string;
  vorgangsnummer?: string;
  nachrichtenUUID?: string;
  nachrichtentyp?: string;
  erstellungszeitpunkt?: string;
  leser?: string;
  autor?: string;
  ergebnisstatus?: string;
  rueckweisung: string[];
  freitext?: string;
  /** person elements with content. */
  persons: number;
  emptyPersons: number;
  identifikationsmerkmale: string[];
  partners: number;
  kinder: number;
  vendorMarker: boolean;
  ursprungUUID?: string;
}

export function summarize(xml: string): AnswerSummary {
  return withDoc(xml, (doc) => {
    const m = doc.get('/*[local-name()="Envelope"]/*[local-name()="Body"]/*');
    if (!m) throw new Error('no Body child');
    const persons = m.find('x:antwortSuchanfrage/x:auskunft/x:person', NS);
    const empty = persons.filter((p) => p.find('*').length === 0).length;
    const summary: AnswerSummary = {
      soapNs: doc.root.namespaceUri,
      root: 'name' in m ? String(m.name) : '',
      rueckweisung: m.find('x:antwortSuchanfrage/x:rueckweisung/x:grundDerRueckweisung/code', NS).map((n) => n.content.trim()),
      persons: persons.length - empty,
      emptyPersons: empty,
      identifikationsmerkmale: m.find('x:antwortSuchanfrage/x:auskunft/x:person/x:identifikationsmerkmal', NS).map((n) => n.content.trim()),
      partners: count(m, 'x:antwortSuchanfrage/x:auskunft/x:person/x:partner'),
      kinder: count(m, 'x:antwortSuchanfrage/x:auskunft/x:person/x:kind'),
      vendorMarker: count(m, 'x:landesspezifischeErweiterungen/sim:auskunftssperre') === 1,
    };
    const opt = (k: keyof AnswerSummary, v: string | undefined) => {
      if (v !== undefined) (summary as unknown as Record<string, unknown>)[k] = v;
    };
    opt('vorgangsnummer', text(doc, '//gw:vorgang/gw:vorgangsnummer'));
    opt('nachrichtenUUID', text(m, 'nachrichtenkopf.g2g/identifikation.nachricht/nachrichtenUUID'));
    opt('nachrichtentyp', text(m, 'nachrichtenkopf.g2g/identifikation.nachricht/nachrichtentyp/code'));
    opt('erstellungszeitpunkt', text(m, 'nachrichtenkopf.g2g/identifikation.nachricht/erstellungszeitpunkt'));
    opt('leser', text(m, 'nachrichtenkopf.g2g/leser/kennung'));
    opt('autor', text(m, 'nachrichtenkopf.g2g/autor/kennung'));
    opt('ergebnisstatus', text(m, 'x:antwortSuchanfrage/x:auskunft/x:ergebnisstatus/code'));
    opt('freitext', text(m, 'x:antwortSuchanfrage/x:rueckweisung/x:freitext'));
    opt('ursprungUUID', text(m, 'x:ursprungsnachricht/nachrichtenUUID'));
    return summary;
  });
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const TIMESTAMP_MS_TZ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;
