import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import soap from 'soap';
import { XmlDocument } from 'libxml2-wasm';
import { readSchemaFileForHttp, schemaDir, wsdlFile } from '../../src/xml/schema-files.js';
import { XmeldSchema } from '../../src/xml/xsd-validator.js';

const shared = path.resolve(process.cwd(), '../shared');
const instances = path.resolve(process.cwd(), 'test/schemas/instances');

/** The XMeld element of a file, without XML declaration and leading comment. */
function messageOf(file: string): string {
  return readFileSync(file, 'utf8').replace(/^<\?xml[^>]*\?>\s*/, '').replace(/^<!--[\s\S]*?-->\s*/, '');
}

describe('WSDL from the file system', () => {
  it('node-soap loads it and describes both operations on both ports', async () => {
    const client = await soap.createClientAsync(path.join(schemaDir, wsdlFile));
    const d = client.describe() as Record<string, Record<string, Record<string, { input: Record<string, unknown>; output: Record<string, unknown> }>>>;
    expect(Object.keys(d)).toEqual(['XmeldGatewayService']);
    const service = d['XmeldGatewayService'] ?? {};
    expect(Object.keys(service).sort()).toEqual(['XmeldGatewaySoap11', 'XmeldGatewaySoap12']);
    for (const port of Object.values(service)) {
      expect(Object.keys(port).sort()).toEqual(['freieSuche', 'personensuche']);
      // element structure comes from the imported XMeld schema
      expect(port['personensuche']?.input).toHaveProperty('nachrichtenkopf.g2g');
      expect(port['personensuche']?.input).toHaveProperty('suchprofil');
      expect(port['personensuche']?.output).toHaveProperty('antwortSuchanfrage');
      expect(port['freieSuche']?.input).toHaveProperty('steuerungsinformationen');
    }
  });
});

describe('WSDL and XSDs over HTTP (GET /xmeld?wsdl, GET /xmeld?xsd=…)', () => {
  let server: http.Server;
  let base: string;
  const gets: string[] = [];
  let lastPost: { headers: http.IncomingHttpHeaders; body: string } | undefined;
  let schema: XmeldSchema;

  beforeAll(async () => {
    schema = XmeldSchema.load();
    const answer1331 = messageOf(path.join(instances, '1331-rueckweisung-14-16.xml'));
    const answer1333 = messageOf(path.join(instances, '1333-04-ergebnisliste.xml'));
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/xmeld') {
        gets.push(url.search);
        const rel = url.searchParams.has('wsdl') ? wsdlFile : (url.searchParams.get('xsd') ?? '');
        try {
          res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(readSchemaFileForHttp(rel, `${base}/xmeld`));
        } catch {
          res.writeHead(404).end();
        }
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        lastPost = { headers: req.headers, body };
        const soap12 = String(req.headers['content-type']).startsWith('application/soap+xml');
        const envNs = soap12 ? 'http://www.w3.org/2003/05/soap-envelope' : 'http://schemas.xmlsoap.org/soap/envelope/';
        const answer = body.includes('freieSuche.suchanfrage.1332') ? answer1333 : answer1331;
        res
          .writeHead(200, { 'content-type': soap12 ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8' })
          .end(
            `<s:Envelope xmlns:s="${envNs}"><s:Header><gw:vorgang xmlns:gw="urn:xmeld-gateway:1"><gw:vorgangsnummer>03-1</gw:vorgangsnummer></gw:vorgang></s:Header><s:Body>${answer}</s:Body></s:Envelope>`,
          );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    schema.dispose();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a stock client fetches the WSDL and every schema through ?xsd= and sees both operations', async () => {
    gets.length = 0;
    const client = await soap.createClientAsync(`${base}/xmeld?wsdl`);
    expect(gets).toEqual([
      '?wsdl',
      '?xsd=xmeld-2511a/xmeld.xsd',
      '?xsd=xmeld-2511a/datentypen.xsd',
      '?xsd=xmeld-2511a/codes.xsd',
      '?xsd=xmeld-2511a/g2g-kopf.xsd',
      '?xsd=xmeld-2511a/datenabruf.xsd',
      '?xsd=xmeld-2511a/returntosender.xsd',
      '?xsd=gateway.xsd',
    ]);
    const ports = (client.describe() as Record<string, Record<string, Record<string, unknown>>>)['XmeldGatewayService'] ?? {};
    expect(Object.keys(ports['XmeldGatewaySoap11'] ?? {}).sort()).toEqual(['freieSuche', 'personensuche']);
  });

  it('calls personensuche with a ready-made 1330, sends the soapAction and parses the 1331 and the gw:vorgang header', async () => {
    const client = await soap.createClientAsync(`${base}/xmeld?wsdl`);
    const [result, , header] = (await client.personensucheAsync({
      _xml: messageOf(path.join(shared, 'xmeld/25.11a/samples/kosit-FachspezifischBehoerdenauskunft006a-1330.xml')),
    })) as [Record<string, unknown>, string, Record<string, unknown>];
    expect(lastPost?.headers['soapaction']).toBe('"urn:xmeld-gateway:1:personensuche"');
    expect(lastPost?.body).toContain('<xmeld:datenabruf.personensuche.suchanfrage.1330');
    expect(result).toHaveProperty('antwortSuchanfrage.rueckweisung');
    expect(header).toEqual({ vorgang: { vorgangsnummer: '03-1' } });
  });

  it('calls freieSuche over SOAP 1.2', async () => {
    const client = await soap.createClientAsync(`${base}/xmeld?wsdl`, { forceSoap12Headers: true });
    const [result] = (await client.freieSucheAsync({
      _xml: messageOf(path.join(shared, 'xmeld/25.11a/samples/kosit-FachspezifischBehoerdenauskunft005a-1332.xml')),
    })) as [Record<string, unknown>];
    expect(String(lastPost?.headers['content-type'])).toMatch(/^application\/soap\+xml.*action="urn:xmeld-gateway:1:freieSuche"/);
    expect(result).toHaveProperty('antwortSuchanfrage.auskunft.ergebnisstatus.code', '04');
  });

  it('a 1330 that node-soap builds from a plain object is schema-valid (header unqualified, message qualified)', async () => {
    const client = await soap.createClientAsync(`${base}/xmeld?wsdl`);
    await client.personensucheAsync({
      attributes: { produkt: 'Testclient', produkthersteller: 'Test', standard: 'XMeld', version: '25.11a' },
      'nachrichtenkopf.g2g': {
        'identifikation.nachricht': {
          nachrichtenUUID: 'b47016cf-bec4-5980-9a23-38b421c2c9d8',
          nachrichtentyp: { code: '1330' },
          erstellungszeitpunkt: '2026-11-23T06:00:00.000+01:00',
        },
        leser: { verzeichnisdienst: { code: 'DVDV' }, kennung: 'ags:03241001', name: 'Register' },
        autor: {
          verzeichnisdienst: { code: 'DVDV' }, kennung: 'dbs:060030020000', name: 'Polizei',
          erreichbarkeit: [{ kanal: { code: '01' }, kennung: 'poststelle@example.invalid' }],
        },
      },
      'anschrift.autor': { gebaeude: { postleitzahl: '30159', wohnort: 'Teststadt' } },
      datenAbrufendeStelle: {
        sicherheitsbehoerde: true,
        abrufberechtigteStelle: {
          erreichbarkeit: [{ kanal: { code: '01' }, kennung: 'poststelle@example.invalid' }],
          anschrift: { gebaeude: { wohnort: 'Teststadt' } },
          behoerdenname: 'Polizei',
        },
        aktenzeichen: 'AZ-1',
        anlassDesAbrufs: 'Test',
        kennung: 'T-1',
      },
      suchprofil: {
        auswahldaten: {
          name: { name: { nachnameUndVornamen: { vornamen: { name: 'Erika' }, nachname: { name: 'Beispiel' } } } },
          anschrift: { gemeindeschluessel: { attributes: { listVersionID: '2025-01-31' }, code: '03241001' } },
          geschlecht: { code: 'w' },
        },
      },
      steuerungsinformationen: { anforderungselement: [{ code: '1' }, { code: '6' }], verzichtAufMitteilung: true },
    });
    const body = lastPost?.body ?? '';
    const env = XmlDocument.fromString(body);
    try {
      const message = env.get('/*[local-name()="Envelope"]/*[local-name()="Body"]/*');
      expect(message).not.toBeNull();
      expect(schema.validate(message as never)).toEqual({ ok: true });
    } finally {
      env.dispose();
    }
  });
});
