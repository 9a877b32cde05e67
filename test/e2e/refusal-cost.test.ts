import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { canonicalJson } from '../../src/protocol/canonical-json.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { collect } from '../protocol/fixtures.js';
import { envelope, postSoap } from '../support/soap-post.js';

/**
 * What a hostile client's refused messages cost (issue #18): whatever it sends, a refusal writes
 * at most 2 KB of protocol and echoes nothing of what it could not verify.
 */
const MAX_RECORD_BYTES = 2_048;
const MEGABYTE = 1024 * 1024;
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');

/** A marker that cannot occur in anything the gateway writes by itself. */
const junk = (bytes: number): string => 'Q'.repeat(bytes);

function withUuid(xml: string, uuid: string): string {
  return xml.replace(/<nachrichtenUUID>[^<]*<\/nachrichtenUUID>/, `<nachrichtenUUID>${uuid}</nachrichtenUUID>`);
}
function withAutorKennung(xml: string, kennung: string): string {
  return xml.replace('<kennung>dbs:030000010000</kennung>', `<kennung>${kennung}</kennung>`);
}
function withErstellungszeitpunkt(xml: string, value: string): string {
  return xml.replace(/<erstellungszeitpunkt>[^<]*<\/erstellungszeitpunkt>/, `<erstellungszeitpunkt>${value}</erstellungszeitpunkt>`);
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function rejectedRecords(): Promise<ProtocolRecord[]> {
  return collect(h.gateway.protocol.export({ hops: ['rejected'] }, { kind: 'dpo', id: 'refusal-cost-test' }));
}

interface HostileCase {
  name: string;
  body: () => string | Buffer;
}

const cases: HostileCase[] = [
  { name: 'unsigned, 1 MB nachrichtenUUID', body: () => envelope(withUuid(query, junk(MEGABYTE))) },
  { name: 'unsigned, 1 MB autor kennung', body: () => envelope(withAutorKennung(query, `dbs:${junk(MEGABYTE)}`)) },
  { name: 'unsigned, 1 MB erstellungszeitpunkt', body: () => envelope(withErstellungszeitpunkt(query, `2026-01-15T09:30:00${junk(MEGABYTE)}`)) },
  {
    name: 'signed by an untrusted certificate, 1 MB nachrichtenUUID and kennung',
    body: () => h.signed(withAutorKennung(withUuid(query, junk(MEGABYTE)), `dbs:${junk(MEGABYTE)}`), { keepUuid: true, as: 'untrusted' }).xml,
  },
  {
    name: 'signed by the mirror, 1 MB nachrichtenUUID (not a UUID)',
    body: () => h.signed(withUuid(query, junk(MEGABYTE)), { keepUuid: true }).xml,
  },
  { name: 'not well-formed, 1 MB', body: () => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${junk(MEGABYTE)}` },
];

describe('a hostile client\'s refused messages cost at most 2 KB of protocol each', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const before = (await rejectedRecords()).length;
      const res = await postSoap(h.endpoint, c.body());
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.body.includes('administration.returntosender.0910')).toBe(true);
      // Nothing the gateway could not verify comes back, and the fault stays small.
      // (booleans, so a failure does not print megabytes)
      expect(res.body.includes('QQQQ'), 'the fault echoes unverified input').toBe(false);
      expect(Buffer.byteLength(res.body)).toBeLessThan(16 * 1024);

      const records = await rejectedRecords();
      expect(records.length).toBe(before + 1);
      const record = records.at(-1) as ProtocolRecord;
      const size = Buffer.byteLength(canonicalJson(record));
      expect(size, `record of ${size} bytes`).toBeLessThanOrEqual(MAX_RECORD_BYTES);
      expect(canonicalJson(record).includes('QQQQ'), 'the record holds unverified input').toBe(false);
    });
  }

  it('still names a well-formed sender in the 0910 and the record', async () => {
    const uuid = '2f4f4a52-6c43-4a39-9d55-1d2b7e8f0a11';
    const res = await postSoap(h.endpoint, envelope(withUuid(query, uuid)));
    expect(res.body).toContain(uuid);
    const record = (await rejectedRecords()).at(-1);
    expect(record?.nachrichtenUUID).toBe(uuid);
    expect(record?.autorKennung).toBe('dbs:030000010000');
    expect(record?.outcome?.rts).toBe('T010');
  });
});
