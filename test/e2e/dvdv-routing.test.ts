import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DvdvConfig, GatewayConfig, PartyConfig } from '../../src/config/gateway-config.js';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { IdentityName, TestPki } from '../../src/security/test-pki.js';
import { compose1330, compose1332 } from '../../src/simulator/compose-query.js';
import { startSimulatedDvdv, type SimulatedDvdv } from '../../src/simulator/dvdv.js';
import { LANDS, LAND_CODES, type LandCode } from '../../src/simulator/lands.js';
import type { SimulatorSecurity } from '../../src/simulator/server.js';
import { simulatorSecurity } from '../../src/simulator/simulator-security.js';
import { answerFacts, type AnswerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { postSoap } from '../support/soap-post.js';
import { loadTestPki } from '../support/test-pki.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../queue/support.js';

/**
 * Issue #14, done when: the Länder are found in the (simulated) DVDV with no static routes;
 * known routes outlive a DVDV outage within the staleness bound, an unknown one gets
 * rueckweisung 16 naming the directory; a certificate changed in the DVDV applies after the TTL;
 * a caller outside the required category gets T070; a second DVDV server takes over.
 * Real HTTP, real signatures, the test PKI.
 */

const CATEGORY = 'xmeld-abruf-test';
const ROOT = '${PKI}/XMeld-Test-Root-CA.cert.pem';
const SIGNING_CA = '${PKI}/XMeld-Test-Signing-CA.cert.pem';
const CRL = '${PKI}/intermediate.crl.pem';

/** A lawful police search in the register's own municipality of a Land. */
function personensuche(land: LandCode): string {
  const ags = LANDS[land].registerAgs;
  return compose1330({
    identifikation: { nachrichtenUUID: randomUUID(), nachrichtentyp: '1330', erstellungszeitpunkt: new Date().toISOString() },
    leserKennung: `ags:${ags}`,
    suchprofil: { nachname: 'Testfrau', vornamen: 'Erika', ags, geburtsdatum: '1980-04-12' },
  });
}

/** The simulated registers, but a Land may sign with another Land's key (a register's new certificate). */
function switchableSigners(pki: TestPki): { security: SimulatorSecurity; signAs: Map<LandCode, LandCode> } {
  const base = simulatorSecurity(pki);
  const signAs = new Map<LandCode, LandCode>();
  return {
    signAs,
    security: {
      verifyRequest: (env) => base.verifyRequest!(env),
      signResponse: (xml, register) => base.signResponse!(xml, signAs.get(register) ?? register),
    },
  };
}

/** DVDV-only routing: no static Länder routes, no pinned register signers (the mirror's Land 03 stays). */
function dvdvOnly(c: GatewayConfig, dvdv: Partial<DvdvConfig> & { servers: string[] }): void {
  c.routes.laender = {};
  c.parties = c.parties.filter((p) => !p.id.startsWith('land-') || p.id === 'land-03');
  const byCategory: PartyConfig = {
    id: 'dvdv-callers', signsFor: ['dbs:03*'], messages: ['1330', '1332'], answersFor: [],
    trustAnchors: [ROOT], intermediates: [SIGNING_CA], crls: [CRL],
    signerCertificates: [], signerSubjects: [], allowSha1: false, suspended: false, admitByCategory: true,
  };
  c.parties.push(byCategory);
  c.processing = { ...c.processing, threads: 1, offloadAboveBytes: 0 };
  c.dvdv = {
    entryPath: 'intern/directory', positiveTtlMs: 600_000, negativeTtlMs: 300_000, maxStaleMs: 3_600_000,
    attemptTimeoutMs: 1_000, lookupTimeoutMs: 2_000, warmUp: true, overrides: [],
    // The warm-up looks up the municipalities the queries below name (each register's own).
    landKeys: Object.fromEntries(LAND_CODES.map((l) => [l, `ags:${LANDS[l].registerAgs}`])),
    trustAnchors: [ROOT], intermediates: [SIGNING_CA], crls: [CRL], callerCategory: CATEGORY,
    ...dvdv,
  };
}

function publishAll(pki: TestPki, dvdv: SimulatedDvdv, h: { urlFor(l: LandCode): string }, except: LandCode[] = []): void {
  for (const land of LAND_CODES) {
    if (!except.includes(land)) dvdv.setEntry(land, { endpoint: h.urlFor(land), certPem: pki.identities[`land-${land}`].certPem });
  }
}

/** The answer, and the operator's records of the Vorgang (of a refusal: its `rejected` record, found by the UUID). */
async function ask(h: Harness, xml: string, as: IdentityName = 'mirror'): Promise<{ status: number; body: string; facts: AnswerFacts; records: ProtocolRecord[] }> {
  const { xml: signed, uuid } = h.signed(xml, { as });
  const res = await postSoap(h.endpoint, signed);
  const facts = answerFacts(res.body);
  const filter = facts.vorgangsnummer !== undefined ? { vorgangsnummer: facts.vorgangsnummer } : { hops: ['rejected' as const] };
  const records: ProtocolRecord[] = [];
  for await (const r of h.gateway.protocol.export(filter, { kind: 'dpo', id: 'test' })) {
    if (r.nachrichtenUUID === uuid) records.push(r);
  }
  return { status: res.status, body: res.body, facts, records };
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await request(url);
  return await res.body.json() as Record<string, unknown>;
}

async function metric(h: Harness, name: string): Promise<number | undefined> {
  const text = await (await request(`${h.gateway.url}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('routing from the DVDV (extern entry path, token), with failover to a second server', () => {
  let pki: TestPki;
  let first: SimulatedDvdv;
  let second: SimulatedDvdv;
  let h: Harness;
  const requested = new Set<string>();

  beforeAll(async () => {
    pki = await loadTestPki();
    // The gateway's own key is its registered DVDV client: the extern entry path with a token.
    const common = { entries: {}, categories: { [CATEGORY]: [pki.identities['authority-plain'].certPem] }, clients: [pki.identities.gateway.certPem] };
    first = await startSimulatedDvdv(common);
    second = await startSimulatedDvdv(common);
    first.setFault('down'); // the preferred server is out from the start
    h = await startHarness({
      simulator: { onRequest: (land) => requested.add(land) },
      config: (c, sim) => {
        publishAll(pki, first, sim);
        publishAll(pki, second, sim);
        dvdvOnly(c, {
          servers: [first.url, second.url],
          entryPath: 'extern/standaloneauth/directory',
          clientKey: '${PKI}/gateway.TEST-KEY.pem',
          clientCertificate: '${PKI}/gateway.cert.pem',
        });
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await first?.close();
    await second?.close();
  });

  it('routes a query to every Land through the DVDV, with no static routes; the routed hop names the endpoint and its source', async () => {
    expect(h.config.routes.laender).toEqual({});
    for (const land of LAND_CODES) {
      const { status, facts, records } = await ask(h, personensuche(land));
      expect(status, `Land ${land}`).toBe(200);
      expect(facts.rueckweisung, `Land ${land}`).toEqual([]);
      expect(facts.ergebnisstatus, `Land ${land}`).toMatch(/^0[1-3]$/);
      const routed = records.find((r) => r.hop === 'routed');
      if (land === '03') {
        // The gateway's own Land goes to the mirror backend, configured statically.
        expect(routed).toMatchObject({ target: 'mirror', endpoint: h.simulator.urlFor('mirror'), endpointSource: 'config' });
      } else {
        expect(routed).toMatchObject({ target: `land:${land}`, endpoint: h.simulator.urlFor(land), endpointSource: 'dvdv' });
        expect(records.map((r) => r.hop)).toEqual(['received', 'routed', 'dispatched', 'answered', 'delivered']);
      }
    }
    expect([...requested].sort()).toEqual([...LAND_CODES]);
  });

  it('failed over to the second DVDV server and stays there (sticky); /ready and /metrics show the directory', async () => {
    expect(first.calls).toEqual(['token']); // asked first, answered 503 — and not asked again (sticky)
    expect(second.calls).toContain('token'); // extern/standaloneauth: a token from the client assertion
    expect(second.calls).not.toContain('unauthorized');
    // The warm-up (all 16 Länder, both services): one batch request, at the second server.
    expect(second.calls.filter((c) => c === 'batch/findservicedescription')).toHaveLength(1);
    first.setFault('none');
    const ready = await getJson(`${h.gateway.url}/ready`);
    expect(ready['status']).toBe('ready');
    expect(ready['directory']).toMatchObject({ reachable: true, server: second.url });
    expect(await metric(h, 'xmeld_gateway_directory_reachable')).toBe(1);
    // Every query above was answered from the warm-up's entries.
    expect(await metric(h, 'xmeld_gateway_directory_misses_total')).toBe(0);
    expect(await metric(h, 'xmeld_gateway_directory_hits_total')).toBe(15);
    expect(await metric(h, 'xmeld_gateway_directory_cache_age_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('admits a caller by DVDV category; a caller outside the required category gets T070', async () => {
    const inside = await ask(h, personensuche('09'), 'authority-plain');
    expect(inside.status).toBe(200);
    expect(inside.facts.ergebnisstatus).toMatch(/^0[1-3]$/);
    expect(second.calls).toContain('verifycategory');

    const outside = await ask(h, personensuche('09'), 'authority-police');
    expect(outside.status).toBe(500);
    expect(outside.facts.rts).toBe('T070');
    expect(outside.body).toContain('nicht in der erforderlichen DVDV-Kategorie');
    expect(outside.records.map((r) => r.hop)).toEqual(['rejected']);
    expect(outside.records[0]?.outcome).toMatchObject({ rts: 'T070' });

    // Inside the category, the entitlement rules still apply: the AOK may ask only for its listed occasions.
    const aok = personensuche('09').replace(/(<autor>[\s\S]*?<kennung>)[^<]*(<\/kennung>)/, '$1dbs:030000030000$2');
    const wrongOccasion = await ask(h, aok, 'authority-plain');
    expect(wrongOccasion.facts.rts).toBe('T070');
    expect(wrongOccasion.body).toContain('Anlass für diese abrufende Stelle nicht zugelassen');
  });

  it('routes a free search (1332) by the directory entry of the free-search service', async () => {
    const before = second.calls.filter((c) => c === 'findservicedescription').length;
    const { facts, records } = await ask(h, compose1332({
      identifikation: { nachrichtenUUID: randomUUID(), nachrichtentyp: '1332', erstellungszeitpunkt: new Date().toISOString() },
      leserKennung: 'ags:09000000',
      auswahldaten: { nachname: 'Testfrau', vornamen: 'Erika' },
      suchbereich: { art: 'bundesland', code: '09' },
    }));
    expect(facts.ergebnisstatus).toMatch(/^0[1-4]$/);
    expect(records.find((r) => r.hop === 'routed')).toMatchObject({ target: 'land:09', endpoint: h.simulator.urlFor('09'), endpointSource: 'dvdv' });
    // Primed by the warm-up's batch (both services), so not looked up again.
    expect(second.calls.filter((c) => c === 'findservicedescription')).toHaveLength(before);
  });
});

describe('DVDV outage and a changed certificate (short TTL)', () => {
  const TTL_MS = 1_500;
  let pki: TestPki;
  let dvdv: SimulatedDvdv;
  let h: Harness;
  let signers: ReturnType<typeof switchableSigners>;

  beforeAll(async () => {
    pki = await loadTestPki();
    dvdv = await startSimulatedDvdv({ entries: {} });
    signers = switchableSigners(pki);
    h = await startHarness({
      simulator: { security: signers.security },
      config: (c, sim) => {
        publishAll(pki, dvdv, sim, ['13']); // Land 13 is not in the directory at start
        dvdvOnly(c, { servers: [dvdv.url], positiveTtlMs: TTL_MS, negativeTtlMs: TTL_MS, maxStaleMs: 60_000 });
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await dvdv?.close();
  });

  it('with the DVDV down, a known endpoint keeps working within the staleness bound; an unknown one gets rueckweisung 16 naming the directory', async () => {
    expect((await ask(h, personensuche('09'))).facts.ergebnisstatus).toMatch(/^0[1-3]$/);
    dvdv.setFault('down');
    try {
      await sleep(TTL_MS + 300); // every entry expired
      const known = await ask(h, personensuche('09'));
      expect(known.facts.ergebnisstatus).toMatch(/^0[1-3]$/);
      expect(known.records.map((r) => r.hop)).toEqual(['received', 'routed', 'dispatched', 'answered', 'delivered']);
      expect(known.records.find((r) => r.hop === 'routed')).toMatchObject({ endpointSource: 'dvdv', endpoint: h.simulator.urlFor('09') });

      const unknown = await ask(h, personensuche('13'));
      expect(unknown.status).toBe(200);
      expect(unknown.facts.rueckweisung).toEqual(['16']);
      expect(unknown.facts.freitexte.join(' ')).toMatch(/Verzeichnisdienst \(DVDV\)/);
      expect(unknown.records.find((r) => r.hop === 'failed')?.outcome).toMatchObject({ technicalFailure: 'directory' });
      expect(unknown.records.some((r) => r.hop === 'dispatched')).toBe(false);

      // A caller whose category the DVDV cannot confirm now (nothing cached) is not refused as
      // unentitled (T070) but as a passing failure on the gateway's side.
      const unconfirmed = await ask(h, personensuche('09'), 'authority-plain');
      expect(unconfirmed.facts.rts).toBe('S999');
      expect(unconfirmed.body).toContain('Verzeichnisdienst (DVDV) nicht erreichbar');

      expect(await metric(h, 'xmeld_gateway_directory_reachable')).toBe(0);
      expect(await metric(h, 'xmeld_gateway_directory_stale_total')).toBeGreaterThanOrEqual(1);
      expect((await getJson(`${h.gateway.url}/ready`))['directory']).toMatchObject({ reachable: false });
    } finally {
      dvdv.setFault('none');
    }
  });

  it('a certificate changed in the DVDV takes effect after the TTL without a restart: an answer signed with the old one is then refused', async () => {
    expect((await ask(h, personensuche('10'))).facts.rueckweisung).toEqual([]);
    // The register of Land 10 gets a new certificate (here: land-11's) and the DVDV publishes it.
    dvdv.setEntry('10', { endpoint: h.simulator.urlFor('10'), certPem: pki.identities['land-11'].certPem });
    await sleep(TTL_MS + 300);

    const old = await ask(h, personensuche('10')); // still signed with the old key
    expect(old.facts.rueckweisung).toEqual(['16']);
    expect(old.records.find((r) => r.hop === 'failed')?.outcome).toMatchObject({ technicalFailure: 'signature' });

    signers.signAs.set('10', '11'); // the register now signs with its new key
    const renewed = await ask(h, personensuche('10'));
    expect(renewed.facts.rueckweisung).toEqual([]);
    expect(renewed.facts.ergebnisstatus).toMatch(/^0[1-3]$/);
  });
});

describe('two instances on Redis share the directory entries', () => {
  let pki: TestPki;
  let dvdv: SimulatedDvdv;
  let a: Harness;
  let b: Harness;
  const prefix = uniquePrefix();
  // The deployment's shared key: directory entries cross Redis only sealed with it.
  const encryptionKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    pki = await loadTestPki();
    dvdv = await startSimulatedDvdv({ entries: {} });
    const shared = (c: GatewayConfig) => {
      c.queue = { ...c.queue, redisUrl: REDIS_URL, prefix, encryptionKey };
    };
    a = await startHarness({
      config: (c, sim) => {
        publishAll(pki, dvdv, sim);
        dvdvOnly(c, { servers: [dvdv.url] });
        shared(c);
      },
    });
    b = await startHarness({
      config: (c) => {
        dvdvOnly(c, { servers: [dvdv.url], warmUp: false });
        shared(c);
      },
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await dvdv?.close();
    await deletePrefix(prefix);
  });

  it('the second instance routes with the entry the first looked up, without asking the DVDV', async () => {
    const calls = dvdv.calls.length;
    expect(dvdv.calls).toContain('batch/findservicedescription'); // the first instance's warm-up
    const { facts, records } = await ask(b, personensuche('09'));
    expect(facts.ergebnisstatus).toMatch(/^0[1-3]$/);
    expect(records.find((r) => r.hop === 'routed')).toMatchObject({ endpoint: a.simulator.urlFor('09'), endpointSource: 'dvdv' });
    expect(dvdv.calls.length).toBe(calls);
    expect(await metric(b, 'xmeld_gateway_directory_hits_total')).toBe(1);
    expect(await metric(b, 'xmeld_gateway_directory_misses_total')).toBe(0);
  });
});
