import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose1332 } from '../../src/simulator/compose-query.js';
import { loadPopulation, type Person } from '../../src/simulator/population.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir, vectorsDir } from '../support/paths.js';
import { validateAnswerMessage } from '../support/schema-check.js';
import { postSoap } from '../support/soap-post.js';

const NW = ['05315000', '05111000', '05913000', '05112000', '05113000', '05114000', '05116000', '05117000', '05119000', '05120000'];

function query1332(area: { art: 'bundesland' | 'kreis' | 'gemeindeschluessel'; code: string }, nachname = 'Testfrau', vornamen = 'Erika'): { xml: string; uuid: string } {
  const uuid = randomUUID();
  const xml = compose1332({
    identifikation: { nachrichtenUUID: uuid, nachrichtentyp: '1332', erstellungszeitpunkt: new Date().toISOString() },
    leserKennung: `ags:${area.code.padEnd(8, '0')}`,
    auswahldaten: { nachname, vornamen },
    suchbereich: area,
  });
  return { xml, uuid };
}

async function ask(h: Harness, xml: string) {
  const res = await postSoap(h.endpoint, h.signed(xml).xml);
  expect(res.status).toBe(200);
  expect(validateAnswerMessage(res.body)).toEqual({ ok: true });
  return { body: res.body, facts: answerFacts(res.body) };
}

async function hopsOf(h: Harness, vorgangsnummer: string) {
  const out = [];
  for await (const r of h.gateway.protocol.export({ vorgangsnummer }, { kind: 'dpo', id: 'test' })) out.push(r);
  return out;
}

describe('free search (1332) through the gateway', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('takes the KoSIT 1332 reference message through to Bavaria and answers a 1333', async () => {
    const xml = readFileSync(path.join(vectorsDir, 'xmeld-baybis/xmeld-2511a-datenabruf.freieSuche.suchanfrage.1332_KoSIT-reference.xml'), 'utf8');
    const { facts } = await ask(h, xml);
    expect(facts.messageRoot).toBe('datenabruf.freieSuche.antwort.1333');
    expect(facts.ursprungsUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(['03', '04']).toContain(facts.ergebnisstatus);
    expect((await hopsOf(h, facts.vorgangsnummer as string)).map((r) => r.target).filter(Boolean)).toContain('land:09');
  });

  const manifest = [
    ['1332-free-search-land.xml', '04', 2],
    ['1332-free-search-kreis.xml', '04', 1],
    ['1332-free-search-none.xml', '03', 0],
  ] as const;
  for (const [file, status, persons] of manifest) {
    it(`${file}: ${status} with ${persons} person(s) from the mirror`, async () => {
      const { facts } = await ask(h, readFileSync(path.join(fixturesDir, 'queries', file), 'utf8'));
      expect(facts.ergebnisstatus).toBe(status);
      expect(facts.persons).toBe(persons);
    });
  }

  it('fans a Land-wide search out to each municipality of a Land that takes only single ones (NW)', async () => {
    const { facts } = await ask(h, query1332({ art: 'bundesland', code: '05' }).xml);
    expect(facts.ergebnisstatus).toBe('04');
    expect(facts.persons).toBe(1);
    const records = await hopsOf(h, facts.vorgangsnummer as string);
    const dispatched = records.filter((r) => r.hop === 'dispatched').map((r) => r.target);
    expect(dispatched.sort()).toEqual(['land:05/ags:05111000', 'land:05/ags:05315000', 'land:05/ags:05913000']);
    expect(records.filter((r) => r.hop === 'answered')).toHaveLength(3);
    expect(records.at(-1)?.hop).toBe('delivered');
  });

  it('sends one message where the search area already is one municipality', async () => {
    const { facts } = await ask(h, query1332({ art: 'gemeindeschluessel', code: '05315000' }).xml);
    expect(facts.ergebnisstatus).toBe('04');
    const dispatched = (await hopsOf(h, facts.vorgangsnummer as string)).filter((r) => r.hop === 'dispatched');
    expect(dispatched.map((r) => r.target)).toEqual(['land:05']);
  });

  it('rejects a search area it cannot place with 22', async () => {
    const { facts } = await ask(h, query1332({ art: 'bundesland', code: '99' }).xml);
    expect(facts.rueckweisung).toEqual(['22']);
  });
});

describe('fan-out over many municipalities, a failing register, and merges above 1000', () => {
  let h: Harness;
  let flaky: FastifyInstance;
  const failing = '05913000';

  beforeAll(async () => {
    const base = await loadPopulation();
    // 600 Erika Testfrau in each of two NW municipalities: 1200 merged, above the list cap.
    const many = (ags: string): Person[] => Array.from({ length: 600 }, (_, i) => ({
      id: `many-${ags}-${i}`, ags, familienname: 'Vielfrau', vornamen: 'Erika', geburtsdatum: '1970-01-01', geschlecht: 'w', fruehererGeschlechtseintrag: [],
      staatsangehoerigkeit: '000', auskunftssperre: false, kinder: [],
      anschrift: { strasse: 'Simulationsweg', hausnummer: String(i + 1), postleitzahl: '50667', wohnort: 'Köln' },
    }) as Person);
    const population = { ...base, '05': [...(base['05'] ?? []), ...many('05315000'), ...many('05111000')] };
    // A register front for NW that fails for one municipality and passes the rest to the simulator.
    let forwardTo = '';
    flaky = Fastify();
    flaky.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, b, done) => done(null, b));
    flaky.post('/land/05', async (req, reply) => {
      const body = (req.body as Buffer).toString('utf8');
      if (body.includes(`<code>${failing}</code></xmeld:gemeindeschluessel>`) && body.includes('Ausfall')) {
        return reply.code(503).send('down');
      }
      const res = await request(forwardTo, { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body });
      return reply.code(res.statusCode).header('content-type', String(res.headers['content-type'])).send(Buffer.from(await res.body.arrayBuffer()));
    });
    await flaky.listen({ host: '127.0.0.1', port: 0 });
    const address = flaky.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    h = await startHarness({
      simulator: { population },
      config: (c) => {
        c.routes.laender['05'] = {
          url: `http://127.0.0.1:${port}/land/05`, soapVersion: '1.1', concurrency: 16,
          freieSuche: { nurEinzelgemeinden: true, weiterFuerSicherheitsbehoerden: false }, gemeinden: NW,
        };
      },
    });
    forwardTo = h.simulator.urlFor('05');
  });
  afterAll(async () => {
    await h?.close();
    await flaky?.close();
  });

  it('fans out to ten municipalities and merges their answers', async () => {
    const { facts } = await ask(h, query1332({ art: 'bundesland', code: '05' }).xml);
    expect(facts.ergebnisstatus).toBe('04');
    expect(facts.persons).toBe(1);
    expect((await hopsOf(h, facts.vorgangsnummer as string)).filter((r) => r.hop === 'dispatched')).toHaveLength(10);
  });

  it('answers a fan-out with one failing register honestly: technical rejection 16, not a shorter list', async () => {
    const { facts } = await ask(h, query1332({ art: 'bundesland', code: '05' }, 'Ausfall', 'Anna').xml);
    expect(facts.rueckweisung).toEqual(['16']);
    expect(facts.persons).toBe(0);
    const records = await hopsOf(h, facts.vorgangsnummer as string);
    expect(records.filter((r) => r.hop === 'failed').map((r) => r.target)).toEqual([`land:05/ags:${failing}`]);
  });

  it('rejects a merged Ergebnisliste above 1000 persons with 13', async () => {
    const { facts } = await ask(h, query1332({ art: 'bundesland', code: '05' }, 'Vielfrau', 'Erika').xml);
    expect(facts.rueckweisung).toEqual(['13']);
  });
});
