import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

const POLICE = 'dbs:030000010000';
/**
 * Data that only answers carry — addresses, relatives, the birth dates of persons found by a
 * list — never the queries: none of it may be in the protocol, the logs or the data directory.
 */
const ANSWER_ONLY = ['Simulationsweg', 'Musterallee', 'Frieda', 'Fiona', '1975-01-01', '1988-08-08', 'Staatsangeh'];

const manifest = (parseYaml(readFileSync(path.join(fixturesDir, 'queries/manifest.yaml'), 'utf8')) as {
  queries: { file: string; message: string; gateway: { ergebnisstatus?: string; rueckweisung?: string[] } }[];
}).queries;

const work = mkdtempSync(path.join(os.tmpdir(), 'xmeld-protocol-trail-'));
const logFile = path.join(work, 'gateway.log');
const dataDir = path.join(work, 'protocol');

let h: Harness;
const vorgaenge: { file: string; vorgangsnummer: string; expected: { ergebnisstatus?: string; rueckweisung?: string[] } }[] = [];

beforeAll(async () => {
  const log = createLogger('info', pino.destination({ dest: logFile, sync: true }));
  h = await startHarness({
    simulator: { slowDelayMs: 3_000 },
    config: (c) => {
      c.protocol = { ...c.protocol, dataDir };
      c.http.requestDeadlineMs = 2_000;
    },
    gateway: { log },
  });
  for (const q of manifest) {
    const res = await postSoap(h.endpoint, h.signed(readFileSync(path.join(fixturesDir, 'queries', q.file), 'utf8')).xml);
    vorgaenge.push({ file: q.file, vorgangsnummer: answerFacts(res.body).vorgangsnummer as string, expected: q.gateway });
  }
}, 120_000);
afterAll(async () => {
  await h?.close();
});

async function read(filter: object, requester: { kind: 'dpo' | 'authority'; id: string }): Promise<ProtocolRecord[]> {
  const out: ProtocolRecord[] = [];
  for await (const r of h.gateway.protocol.export(filter, requester)) out.push(r);
  return out;
}

describe('the protocol of every outcome (§ 40 BMG, contract §8)', () => {
  it('holds, per Vorgangsnummer, the complete chain of hops with every required field', async () => {
    expect(vorgaenge.length).toBe(manifest.length);
    for (const v of vorgaenge) {
      const records = await read({ vorgangsnummer: v.vorgangsnummer }, { kind: 'authority', id: POLICE });
      const hops = records.map((r) => r.hop);
      expect(hops[0], v.file).toBe('received');
      expect(hops.at(-1), v.file).toBe('delivered');
      if (hops.includes('routed')) {
        expect(hops, v.file).toContain('dispatched');
        expect(hops.some((x) => x === 'answered' || x === 'failed'), v.file).toBe(true);
      } else {
        expect(hops, v.file).toContain('rejected');
      }
      for (const r of records) {
        expect(r.vorgangsnummer).toBe(v.vorgangsnummer);
        expect(r.at).toBeInstanceOf(Date);
        expect(r.autorKennung).toBe(POLICE);
        expect(r.abrufberechtigteStelle).toBeTruthy();
        expect(r.aktenzeichen).toBeTruthy();
        expect(r.anlassDesAbrufs).toBeTruthy();
        expect(r.kennung).toBeTruthy();
        expect(r.sicherheitsbehoerde).toBe(true);
        expect(r.suchprofil).toBeTruthy();
        expect(r.anforderungselemente?.length).toBeGreaterThan(0);
      }
      const delivered = records.at(-1);
      if (v.expected.ergebnisstatus) expect(delivered?.outcome?.ergebnisstatus, v.file).toBe(v.expected.ergebnisstatus);
      else expect(delivered?.outcome?.rueckweisung, v.file).toEqual(v.expected.rueckweisung);
      for (const r of records.filter((x) => x.hop === 'routed' || x.hop === 'dispatched')) expect(r.target).toBeTruthy();
    }
  });

  it('keeps for the operator only the technical records of the security authority', async () => {
    const v = vorgaenge[0] as (typeof vorgaenge)[number];
    const operator = await read({ vorgangsnummer: v.vorgangsnummer }, { kind: 'dpo', id: 'dsb' });
    expect(operator.length).toBeGreaterThan(0);
    for (const r of operator) {
      expect(r.suchprofil).toBeUndefined();
      expect(r.aktenzeichen).toBeUndefined();
      expect(r.outcome?.ergebnisstatus).toBeUndefined();
    }
  });

  it('holds none of the answers\' data, in any record of any partition', async () => {
    const all = [...await read({}, { kind: 'authority', id: POLICE }), ...await read({}, { kind: 'dpo', id: 'dsb' })];
    const text = JSON.stringify(all);
    for (const s of ANSWER_ONLY) expect(text).not.toContain(s);
  });

  it('verifies: the chains are unbroken', async () => {
    expect((await h.gateway.protocol.verify()).ok).toBe(true);
  });
});

describe('nothing of an answer is kept after delivery (PortalVO § 4)', () => {
  it('the logs carry Vorgangsnummern and outcomes, but no answer data and no payload XML', () => {
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(vorgaenge[0]?.vorgangsnummer);
    for (const s of [...ANSWER_ONLY, '<xmeld:', 'nachnameUndVornamen', 'Testfrau']) expect(log).not.toContain(s);
  });

  it('the data directory holds no answer data (read after the gateway has shut down)', async () => {
    await h.close();
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d)) {
        const p = path.join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(dataDir);
    expect(files.length).toBeGreaterThan(0);
    let protocolSeen = false;
    for (const f of files) {
      const bytes = readFileSync(f);
      // The scan reads real records: the protocol's own data is found in the files.
      if (bytes.includes(Buffer.from(vorgaenge[0]?.vorgangsnummer ?? '-'))) protocolSeen = true;
      for (const s of ANSWER_ONLY) expect(bytes.includes(Buffer.from(s)), `${s} in ${f}`).toBe(false);
    }
    expect(protocolSeen).toBe(true);
  });
});
