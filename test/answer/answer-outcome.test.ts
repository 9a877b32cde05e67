/**
 * The pure rule "register answer → outcome" (contract §7), table-tested against what the
 * simulated registers write: every fixture query, decided by the simulator's register logic in
 * every block dialect, composed in both releases; then the verification around it
 * (normalizeAnswer) for the transport dialects the rule never sees.
 */
import { XmlDocument, type XmlElement } from 'libxml2-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { outcomeOfAnswer } from '../../src/answer/answer-outcome.js';
import { normalizeAnswer } from '../../src/answer/normalize-answer.js';
import type { Outcome } from '../../src/answer/outcome.js';
import { unsignedHops } from '../../src/security/hop-security.js';
import { compose0910, compose1331, compose1333, type AnswerMeta } from '../../src/simulator/compose-answer.js';
import { decide, registerContext, type Antwort, type PersonView } from '../../src/simulator/decide.js';
import { FIXTURE_QUERIES, renderFixtureQuery, type FixtureQuery } from '../../src/simulator/fixture-queries.js';
import { BLOCK_DIALECTS, LANDS, type BlockDialect } from '../../src/simulator/lands.js';
import { loadPopulation } from '../../src/simulator/population.js';
import { parseRequest, type XmeldQuery } from '../../src/simulator/request.js';
import { envelope, faultBody } from '../../src/simulator/soap.js';
import { identifikationsmerkmalFor } from '../../src/simulator/token.js';
import { RELEASES, RELEASE_FACTS, type Release } from '../../src/xmeld/releases.js';
import { ReleaseSchemas } from '../../src/xmeld/release-schemas.js';
import { ANSWER_STRUCTURE_LIMITS } from '../../src/xml/structure-limits.js';

const population = await loadPopulation();
const schemas = ReleaseSchemas.load();
afterAll(() => schemas.dispose());

function queryOf(f: FixtureQuery): XmeldQuery {
  return parseRequest(Buffer.from(envelope('1.1', renderFixtureQuery(f).replace(/^<\?xml[^>]*\?>\s*/, '')))).query;
}

/** The register's answer to `query` as XMeld, in `release` (undefined: no answer but a transport dialect). */
function registerAnswer(f: FixtureQuery, query: XmeldQuery, dialect: BlockDialect, release: Release): string | undefined {
  const ctx = registerContext(f.target, population, { blockDialect: dialect, slowDelayMs: 0 });
  const decision = decide(ctx, query);
  if (decision.kind !== 'answer') return undefined;
  const meta: AnswerMeta = { info: ctx.info, request: { identifikation: query.identifikation, autor: query.autor }, release };
  return decision.message === '1331' ? compose1331(meta, decision.antwort) : compose1333(meta, decision.antwort);
}

/** Reads `xml` and applies the rule; the schema check stands in for verification (the rule's precondition). */
function ruled(xml: string, answerNumber: '1331' | '1333', sent: Release, caller: Release = sent): Outcome {
  const doc = XmlDocument.fromString(xml);
  try {
    expect(schemas.validate(doc.root).ok, 'the simulator writes schema-valid answers').toBe(true);
    return outcomeOfAnswer(doc.root as XmlElement, { answerNumber, sentRelease: sent, callerRelease: caller });
  } finally {
    doc.dispose();
  }
}

/** The outcome the fixture catalogue promises the caller, as the rule's kind and codes. */
function expectedOf(f: FixtureQuery): { kind: Outcome['kind']; codes?: string[] } {
  // Slowness and a wrong ursprungsnachricht are the transport's and verification's to judge: the
  // answer itself is the neutral one.
  if ('transport' in f.register && f.register.transport === 'slow') return { kind: 'neutral' };
  if ('correlation' in f.register) return { kind: 'neutral' };
  const g = f.gateway;
  if ('rueckweisung' in g) return g.rueckweisung[0] === '16' ? { kind: 'technical' } : { kind: 'rejected', codes: g.rueckweisung };
  return { kind: ({ '01': 'hit', '02': 'list', '03': 'neutral', '04': 'resultList' } as const)[g.ergebnisstatus] };
}

const TRANSPORT_ONLY = new Set(['1330-garbage.xml', '1330-fault.xml', '1330-return-to-sender.xml']);

const rows = FIXTURE_QUERIES.flatMap((f) => RELEASES.flatMap((release) => BLOCK_DIALECTS.map((dialect) => ({ f, release, dialect }))));

describe('outcomeOfAnswer: every simulator answer, every block dialect, both releases', () => {
  it('covers the catalogue', () => {
    expect(rows.length).toBe(FIXTURE_QUERIES.length * RELEASES.length * BLOCK_DIALECTS.length);
    expect(rows.length).toBeGreaterThanOrEqual(20 * 2 * 3);
  });

  it.each(rows.map((r) => [r.f.file, r.release, r.dialect, r] as const))('%s in %s, block dialect %s', (_file, _release, _dialect, { f, release, dialect }) => {
    const query = queryOf(f);
    const xml = registerAnswer(f, query, dialect, release);
    if (TRANSPORT_ONLY.has(f.file)) {
      expect(xml, 'these registers send no XMeld answer').toBeUndefined();
      return;
    }
    expect(xml).toBeDefined();
    const answerNumber = f.message === '1330' ? '1331' : '1333';
    const outcome = ruled(xml as string, answerNumber, release);
    const expected = expectedOf(f);
    expect(outcome.kind).toBe(expected.kind);
    if (expected.codes !== undefined && outcome.kind === 'rejected') expect(outcome.reasons.map((r) => r.code)).toEqual(expected.codes);
    if (outcome.kind === 'technical') expect(outcome.failure).toBe('rules');
    if ('persons' in outcome) {
      for (const p of outcome.persons) {
        expect(p).not.toContain('landesspezifischeErweiterungen');
        expect(p).toContain(RELEASE_FACTS[release].namespace);
      }
      if ('persons' in f.register) expect(outcome.persons.length).toBe(f.register.persons);
    }
  });

  it('makes every block dialect of every Land the same neutral answer as a miss', () => {
    const blocked = FIXTURE_QUERIES.find((f) => f.file === '1330-blocked-standard.xml') as FixtureQuery;
    const miss = FIXTURE_QUERIES.find((f) => f.file === '1330-not-found.xml') as FixtureQuery;
    const seen = new Set<string>();
    for (const release of RELEASES) {
      for (const dialect of BLOCK_DIALECTS) {
        const raw = registerAnswer(blocked, queryOf(blocked), dialect, release) as string;
        seen.add(raw.replace(/<nachrichtenUUID>[^<]*</g, '').replace(/<erstellungszeitpunkt>[^<]*</g, ''));
        expect(ruled(raw, '1331', release)).toEqual(ruled(registerAnswer(miss, queryOf(miss), dialect, release) as string, '1331', release));
        expect(ruled(raw, '1331', release)).toEqual({ kind: 'neutral' });
      }
    }
    // The dialects really differ on the wire: the rule is what makes them one.
    expect(seen.size).toBe(RELEASES.length * BLOCK_DIALECTS.length);
    expect(new Set(Object.values(LANDS).map((l) => l.blockDialect))).toEqual(new Set(BLOCK_DIALECTS));
  });

  it('hands persons on in the caller\'s release when the register took the other one', () => {
    const hit = FIXTURE_QUERIES.find((f) => f.file === '1330-unique-hit.xml') as FixtureQuery;
    const xml = registerAnswer(hit, queryOf(hit), 'standard', '26.11') as string;
    const outcome = ruled(xml, '1331', '26.11', '25.11a');
    expect(outcome.kind).toBe('hit');
    const person = (outcome as { persons: string[] }).persons[0] as string;
    expect(person).toContain(RELEASE_FACTS['25.11a'].namespace);
    expect(person).not.toContain(RELEASE_FACTS['26.11'].namespace);
  });
});

describe('outcomeOfAnswer: answers against the rules', () => {
  const f = FIXTURE_QUERIES.find((q) => q.file === '1330-trefferliste.xml') as FixtureQuery;
  const query = queryOf(f);
  const meta: AnswerMeta = { info: LANDS['05'], request: { identifikation: query.identifikation, autor: query.autor }, release: '26.11' };
  const persons = population['05'] ?? [];
  const listView = (i: number): PersonView => {
    const person = persons[i % persons.length] as (typeof persons)[number];
    return { person, detail: 'list', identifikationsmerkmal: identifikationsmerkmalFor('05', person), kinder: [] };
  };
  const auskunft = (ergebnisstatus: '01' | '02' | '03' | '04', n: number): Antwort =>
    ({ kind: 'auskunft', ergebnisstatus, persons: Array.from({ length: n }, (_, i) => listView(i)) });
  const table: Array<[string, string, '1331' | '1333', Outcome | { kind: 'technical' }]> = [
    ['01 without a person (an empty result)', compose1331(meta, auskunft('01', 0)), '1331', { kind: 'neutral' }],
    ['02 without a person', compose1331(meta, auskunft('02', 0)), '1331', { kind: 'neutral' }],
    ['02 over the list cap', compose1331(meta, auskunft('02', 1001)), '1331', { kind: 'rejected', reasons: [{ code: '12' }] }],
    ['04 over the list cap', compose1333(meta, auskunft('04', 1001)), '1333', { kind: 'rejected', reasons: [{ code: '13' }] }],
    ['04 in a 1331', compose1331(meta, auskunft('04', 1)), '1331', { kind: 'technical', failure: 'rules' }],
    ['01 in a 1333', compose1333(meta, auskunft('01', 1)), '1333', { kind: 'technical', failure: 'rules' }],
    ['rueckweisung 16 with the register\'s freitext', compose1331(meta, { kind: 'rueckweisung', gruende: [{ code: '16', freitext: 'stack trace' }] }), '1331',
      { kind: 'rejected', reasons: [{ code: '16', freitext: 'Technischer Fehler beim Register' }] }],
    ['rueckweisung 17 passes its freitext on', compose1331(meta, { kind: 'rueckweisung', gruende: [{ code: '17', freitext: 'Akte gesperrt' }] }), '1331',
      { kind: 'rejected', reasons: [{ code: '17', freitext: 'Akte gesperrt' }] }],
  ];
  it.each(table)('%s', (_name, xml, answerNumber, expected) => {
    expect(ruled(xml, answerNumber, '26.11')).toEqual(expected);
  });

  it('takes a person list of a 1331 only with an identifikationsmerkmal on each', () => {
    const { identifikationsmerkmal: _dropped, ...without } = listView(1);
    const xml = compose1331(meta, { kind: 'auskunft', ergebnisstatus: '02', persons: [listView(0), without] });
    expect(ruled(xml, '1331', '26.11')).toEqual({ kind: 'technical', failure: 'rules' });
  });
});

describe('normalizeAnswer: verification around the rule', () => {
  const f = FIXTURE_QUERIES.find((q) => q.file === '1330-unique-hit.xml') as FixtureQuery;
  const query = queryOf(f);
  const release: Release = '25.11a';
  const answer = registerAnswer(f, query, 'standard', release) as string;
  const meta: AnswerMeta = { info: LANDS['09'], request: { identifikation: query.identifikation, autor: query.autor }, release };
  const normalize = (body: string, status = 200, over: { queryUuid?: string; sentRelease?: Release } = {}): Promise<Outcome> =>
    normalizeAnswer({ status, contentType: 'text/xml', body: Buffer.from(body) }, {
      answerNumber: '1331', queryUuid: over.queryUuid ?? query.identifikation.nachrichtenUUID,
      sentRelease: over.sentRelease ?? release, callerRelease: release,
      validator: schemas.validator, limits: { maxBytes: 1 << 22, structure: ANSWER_STRUCTURE_LIMITS },
      verify: (raw, env) => unsignedHops.verify(raw, env, { hop: 'register', target: 'land:09' }),
    });
  const wrapped = (body: string): string => envelope('1.1', body);

  it.each([
    ['a verified answer goes to the rule', () => normalize(wrapped(answer)), 'hit'],
    ['not XML', () => normalize('##SIMULATOR## Antwort kaputt <<< kein XML &&& \n'), 'malformed'],
    ['a SOAP fault', () => normalize(wrapped(faultBody('1.1', 'receiver', 'Simulierter interner Fehler')), 500), 'fault'],
    ['a fault with a 0910', () => normalize(wrapped(faultBody('1.1', 'sender', 'S999', compose0910(meta, 'S999', 'x'))), 500), 'returnToSender'],
    ['an answer to another query', () => normalize(wrapped(answer), 200, { queryUuid: '00000000-0000-4000-8000-000000000000' }), 'correlation'],
    ['an answer in another release than the query', () => normalize(wrapped(answer), 200, { sentRelease: '26.11' }), 'rules'],
    ['not schema-valid', () => normalize(wrapped(answer.replace(/<xmeld:ergebnisstatus/, '<xmeld:unbekannt/><xmeld:ergebnisstatus'))), 'schema'],
  ] as const)('%s', async (_name, run, expected) => {
    const outcome = await run();
    if (expected === 'hit') expect(outcome.kind).toBe('hit');
    else expect(outcome).toEqual({ kind: 'technical', failure: expected });
  });
});
