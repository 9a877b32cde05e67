import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { dumpPrefix } from '../queue/redis-dump.js';
import { postSoap } from '../support/soap-post.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = randomBytes(4).toString('hex');
const prefix = `xmeld-test-${run}`;
const schema = `protocol_${run}`;

const fixtures: [string, { ergebnisstatus?: string; rueckweisung?: string[] }][] = [
  ['1330-unique-hit.xml', { ergebnisstatus: '01' }],
  ['1330-trefferliste.xml', { ergebnisstatus: '02' }],
  ['1330-blocked-vendor-marker.xml', { ergebnisstatus: '03' }],
  ['1330-rueckweisung-17.xml', { rueckweisung: ['17'] }],
  ['1330-garbage.xml', { rueckweisung: ['16'] }],
];

/** The same queries through two gateway instances sharing Redis (BullMQ) and PostgreSQL. */
describe('scale-out path: BullMQ on Redis and the protocol in PostgreSQL', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    // The deployment's shared key, as XMELD_QUEUE_KEY would give it.
    const encryptionKey = randomBytes(32).toString('hex');
    const shared = (c: Parameters<NonNullable<Parameters<typeof startHarness>[0]>['config'] & object>[0]) => {
      c.queue = { ...c.queue, redisUrl: REDIS_URL, prefix, encryptionKey };
      c.protocol = { ...c.protocol, databaseUrl: DATABASE_URL, schema };
    };
    a = await startHarness({ config: shared });
    b = await startHarness({ config: shared });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('answers every outcome through either instance, and both write one chained protocol', async () => {
    const vorgaenge: string[] = [];
    for (const [file, expected] of fixtures) {
      for (const h of [a, b]) {
        const res = await postSoap(h.endpoint, h.signed(readFileSync(path.join(fixturesDir, 'queries', file), 'utf8')).xml);
        const facts = answerFacts(res.body);
        if (expected.ergebnisstatus) expect(facts.ergebnisstatus).toBe(expected.ergebnisstatus);
        expect(facts.rueckweisung).toEqual(expected.rueckweisung ?? []);
        vorgaenge.push(facts.vorgangsnummer as string);
      }
    }
    expect(new Set(vorgaenge).size).toBe(vorgaenge.length);
    for (const v of vorgaenge) {
      const hops = [];
      for await (const r of a.gateway.protocol.export({ vorgangsnummer: v }, { kind: 'dpo', id: 'test' })) hops.push(r.hop);
      expect(hops[0]).toBe('received');
      expect(hops.at(-1)).toBe('delivered');
    }
    expect((await b.gateway.protocol.verify()).ok).toBe(true);
  });

  it('refuses a message replayed to the other instance (replay window shared in Redis)', async () => {
    const once = a.signed(readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8')).xml;
    expect((await postSoap(a.endpoint, once)).status).toBe(200);
    expect(answerFacts((await postSoap(b.endpoint, once)).body).rts).toBe('S100');
  });

  it('keeps no answer content in Redis after the run', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const dump = (await dumpPrefix(redis, prefix)).flatMap((k) => k.texts);
      const all = dump.join('\n');
      for (const personal of ['Testfrau', 'Erika', 'Mustermensch', '1980-04-12', 'Simulationsweg', 'SIM0']) {
        expect(all).not.toContain(personal);
      }
    } finally {
      redis.disconnect();
    }
  });
});
