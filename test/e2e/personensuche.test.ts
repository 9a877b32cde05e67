import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as soap from 'soap';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { validateAnswerMessage } from '../support/schema-check.js';
import { fixturesDir, samplesDir } from '../support/paths.js';
import { bareMessage } from '../../src/soap/write-envelope.js';
import { postSoap } from '../support/soap-post.js';
import { withFreshUuid } from '../support/test-pki.js';

interface ManifestEntry {
  file: string;
  message: '1330' | '1332';
  target: string;
  nachrichtenUUID: string;
  description: string;
  gateway: { ergebnisstatus?: string; rueckweisung?: string[] };
}

const manifest = (parseYaml(readFileSync(path.join(fixturesDir, 'queries/manifest.yaml'), 'utf8')) as { queries: ManifestEntry[] })
  .queries.filter((q) => q.message === '1330');

let h: Harness;

beforeAll(async () => {
  // The slow register answers after 3 s; the gateway's deadline in the harness is 2 s.
  h = await startHarness({
    simulator: { slowDelayMs: 3_000 },
    config: (c) => { c.http.requestDeadlineMs = 2_000; },
  });
});
afterAll(async () => {
  await h?.close();
});

/** The answer's XMeld message is valid against the gateway's schemas. */
function expectSchemaValid(body: string): void {
  expect(validateAnswerMessage(body)).toEqual({ ok: true });
}

async function recordsOf(vorgangsnummer: string): Promise<ProtocolRecord[]> {
  const out: ProtocolRecord[] = [];
  for await (const r of h.gateway.protocol.export({ vorgangsnummer }, { kind: 'dpo', id: 'test-dsb', purpose: 'Test' })) out.push(r);
  return out;
}

describe('a stock SOAP client (node-soap) from the WSDL alone', () => {
  let client: soap.Client;
  beforeAll(async () => {
    client = await soap.createClientAsync(`${h.endpoint}?wsdl`);
    // node-soap's own WS-Security (xml-crypto): BinarySecurityToken, Timestamp, Body signed.
    const mirror = h.pki.identities.mirror;
    client.setSecurity(new soap.WSSecurityCert(mirror.keyPem.replace(/^#.*\n/, ''), mirror.certPem, '', {
      hasTimeStamp: true,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      signatureTransformations: ['http://www.w3.org/2001/10/xml-exc-c14n#'],
    }));
  });

  it('sees both operations', () => {
    const ops = JSON.stringify(client.describe());
    expect(ops).toContain('personensuche');
    expect(ops).toContain('freieSuche');
  });

  /**
   * The KoSIT reference queries, addressed to a Bavarian municipality (simulated Land 09):
   * 006a a police search, 007a a follow-up with a token the register never issued, 008a an
   * Amtsgericht (not a security authority) asking for the Einzugsdatum, which the gateway
   * refuses itself with the register's code 11.
   */
  const samples = [
    { sample: '006a', hops: ['received', 'routed', 'dispatched', 'answered', 'delivered'], expect: { ergebnisstatus: '03' } },
    { sample: '007a', hops: ['received', 'routed', 'dispatched', 'answered', 'delivered'], expect: { rueckweisung: ['01'] } },
    { sample: '008a', hops: ['received', 'rejected', 'delivered'], expect: { rueckweisung: ['11'] } },
  ];
  for (const { sample, hops, expect: expected } of samples) {
    it(`sends the KoSIT 1330 sample ${sample} and gets a correlated, schema-valid 1331`, async () => {
      const { xml, uuid } = withFreshUuid(bareMessage(
        readFileSync(path.join(samplesDir, `kosit-FachspezifischBehoerdenauskunft${sample}-1330.xml`), 'utf8')));
      await client.personensucheAsync({ _xml: xml });
      const body = client.lastResponse as string;
      const facts = answerFacts(body);
      expect(facts.messageRoot).toBe('datenabruf.personensuche.antwort.1331');
      expect(facts.ursprungsUuid).toBe(uuid);
      expect(facts.vorgangsnummer).toMatch(/^03-\d{17}-/);
      if (expected.ergebnisstatus) expect(facts.ergebnisstatus).toBe(expected.ergebnisstatus);
      expect(facts.rueckweisung).toEqual(expected.rueckweisung ?? []);
      expectSchemaValid(body);
      expect((await recordsOf(facts.vorgangsnummer as string)).map((r) => r.hop)).toEqual(hops);
    });
  }
});

describe('fixture queries for every outcome (fixtures/queries/manifest.yaml)', () => {
  it('covers hit, Trefferliste, neutral, rejections and technical failures', () => {
    const outcomes = new Set(manifest.map((q) => q.gateway.ergebnisstatus ?? `R${q.gateway.rueckweisung?.join(',')}`));
    for (const o of ['01', '02', '03', 'R14', 'R17', 'R16']) expect(outcomes).toContain(o);
  });

  for (const q of manifest) {
    for (const version of ['1.1', '1.2'] as const) {
      it(`${q.file} over SOAP ${version}: ${q.description}`, async () => {
        const message = readFileSync(path.join(fixturesDir, 'queries', q.file), 'utf8');
        const { xml, uuid } = h.signed(message, { version });
        const res = await postSoap(h.endpoint, xml, version);
        expect(res.status).toBe(200);
        const facts = answerFacts(res.body);
        expect(facts.soapVersion).toBe(version);
        expect(facts.ursprungsUuid).toBe(uuid);
        if (q.gateway.ergebnisstatus !== undefined) {
          expect(facts.ergebnisstatus).toBe(q.gateway.ergebnisstatus);
          expect(facts.rueckweisung).toEqual([]);
          if (q.gateway.ergebnisstatus === '01') expect(facts.persons).toBe(1);
          if (q.gateway.ergebnisstatus === '02') {
            expect(facts.persons).toBeGreaterThan(1);
            expect(facts.identifikationsmerkmale).toHaveLength(facts.persons);
          }
          if (q.gateway.ergebnisstatus === '03') expect(facts.persons).toBe(0);
        } else {
          expect(facts.rueckweisung).toEqual(q.gateway.rueckweisung);
          expect(facts.ergebnisstatus).toBeUndefined();
        }
        expectSchemaValid(res.body);
        const records = await recordsOf(facts.vorgangsnummer as string);
        expect(records.length).toBeGreaterThanOrEqual(3);
        expect(records[0]?.hop).toBe('received');
        expect(records.at(-1)?.hop).toBe('delivered');
        for (const r of records) {
          expect(r.nachrichtenUUID).toBe(uuid);
          expect(r.autorKennung).toBe('dbs:030000010000');
        }
      });
    }
  }
});
