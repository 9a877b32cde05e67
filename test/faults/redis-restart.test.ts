import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPki } from '../../src/security/test-pki.js';
import type { SimulatedRegisters } from '../../src/simulator/server.js';
import { RedisProcess } from '../queue/redis-process.js';
import {
  DATABASE_URL, GatewayProcess, QUERIES, dropSchema, isAnswerOr16, newAgent, runId, sendQuery, signedQuery, sleep,
  startRegisters, tally, verdict, type QueryKind, type SendResult,
} from './support.js';

const SLOW_MS = 1_500;
const DEADLINE_MS = 6_000;
const SLACK_MS = 1_500;
const OUTAGE_MS = 2_000;
const SENDERS = 4;
const KINDS: QueryKind[] = ['slow', 'hit', 'list', 'none', 'family', 'hit'];

/**
 * A gateway process on a redis-server of the test's own; Redis is SIGKILLed under continuous
 * load and started again on the same port (empty: no persistence) ~2 s later.
 */
describe('a gateway process through a Redis restart', () => {
  const run = runId();
  const prefix = `xmeld-fault-redis-${run}`;
  const schema = `fault_redis_${run}`;
  let pki: TestPki;
  let simulator: SimulatedRegisters;
  let redis: RedisProcess | undefined;
  let gw: GatewayProcess | undefined;
  const agent = newAgent();
  /** Filled by the first test, read by the second. */
  const timeline = { killedAt: 0, restartedAt: 0 };
  const results: SendResult[] = [];
  /** A message delivered before the outage and delivered again after the restart. */
  let replay: { first?: SendResult; again?: SendResult } = {};

  beforeAll(async () => {
    ({ pki, simulator } = await startRegisters(SLOW_MS));
    redis = await RedisProcess.start();
    gw = await GatewayProcess.start({
      simulator, redisUrl: redis.url, prefix, databaseUrl: DATABASE_URL, schema,
      deadlineMs: DEADLINE_MS, queueKey: randomBytes(32).toString('hex'),
    });
  });
  afterAll(async () => {
    await gw?.stop(10_000);
    await simulator?.close();
    await agent.close();
    await redis?.kill(); // the whole Redis is the test's own: its keys go with it
    await dropSchema(DATABASE_URL, schema);
  });

  it('ends every query in flight in time, reports 503 during the outage, and answers again after the restart', async () => {
    const g = gw as GatewayProcess;
    const r = redis as RedisProcess;
    let stop = false;
    // Continuous load: SENDERS loops, each sending its next query as soon as the last one ended.
    const loops = Array.from({ length: SENDERS }, async (_, s) => {
      for (let i = s; !stop; i += SENDERS) {
        const kind = KINDS[i % KINDS.length] as QueryKind;
        results.push(await sendQuery(agent, g.endpoint, signedQuery(pki, kind).xml, { kind, to: 0 }, DEADLINE_MS + 5_000));
      }
    });
    // /ready every 100 ms.
    const readiness: { at: number; status: number | undefined }[] = [];
    const poller = (async () => {
      while (!stop) {
        readiness.push({ at: Date.now(), status: await g.ready(1_500) });
        await sleep(100);
      }
    })();

    const t0 = Date.now();
    const once = signedQuery(pki, 'hit').xml;
    replay = { first: await sendQuery(agent, g.endpoint, once, { kind: 'hit', to: 0 }, DEADLINE_MS + 5_000) };
    await sleep(2_500 - (Date.now() - t0));
    timeline.killedAt = Date.now();
    await r.kill();
    await sleep(OUTAGE_MS);
    timeline.restartedAt = Date.now();
    await r.start();
    // Until /ready is back, then 5 s more of load.
    const backWithin = 15_000;
    while (Date.now() - timeline.restartedAt < backWithin && readiness.at(-1)?.status !== 200) await sleep(100);
    const readyAgainAt = readiness.find((x) => x.at > timeline.restartedAt && x.status === 200)?.at;
    await sleep(5_000);
    // The replay: once the load after the restart is answered normally again.
    replay.again = await sendQuery(agent, g.endpoint, once, { kind: 'hit', to: 0 }, DEADLINE_MS + 5_000);
    stop = true;
    await Promise.all([...loops, poller]);

    const { killedAt, restartedAt } = timeline;
    const notReadyAt = readiness.find((x) => x.at > killedAt && x.status === 503)?.at;
    const inFlight = results.filter((x) => x.startedAt < killedAt && x.endedAt > killedAt);
    const during = results.filter((x) => x.startedAt >= killedAt && x.startedAt < (readyAgainAt ?? restartedAt));
    const after = results.filter((x) => readyAgainAt !== undefined && x.startedAt > readyAgainAt + 500);
    const s100AfterReady = results.filter((x) => readyAgainAt !== undefined && x.startedAt >= readyAgainAt && verdict(x) === 'fault:S100');
    console.error(`[measure] Redis killed at ${killedAt - t0} ms, restarted ${restartedAt - killedAt} ms later; `
      + `/ready 503 ${notReadyAt === undefined ? 'never' : `${notReadyAt - killedAt} ms`} after the kill, `
      + `200 again ${readyAgainAt === undefined ? 'never' : `${readyAgainAt - restartedAt} ms`} after the restart; `
      + `in flight ${JSON.stringify(tally(inFlight))}, during the outage ${JSON.stringify(tally(during))}, `
      + `after ${JSON.stringify(tally(after))}; S100 after /ready was 200 again: ${s100AfterReady.length}`
      + `${s100AfterReady.length > 0 ? ` (the last sent ${Math.max(...s100AfterReady.map((x) => x.startedAt)) - (readyAgainAt ?? 0)} ms after)` : ''}; all ${results.length}: ${JSON.stringify(tally(results))}; `
      + `a message delivered before the outage and again after the restart: ${replay.first ? verdict(replay.first) : '?'}, then ${replay.again ? verdict(replay.again) : '?'} (${replay.again?.facts?.freitexte.join('; ') ?? ''})`);

    // Never a hang: every query got an HTTP answer within its deadline.
    for (const x of results) {
      expect(x.status, `${verdict(x)}\n${g.log}`).toBeDefined();
      expect(x.endedAt - x.startedAt).toBeLessThan(DEADLINE_MS + SLACK_MS);
    }
    // In flight at the kill: its answer or rueckweisung 16. (A query whose bytes were still
    // being read at the kill meets the replay check during the outage: the receiver-side S999.)
    expect(inFlight.length).toBeGreaterThan(0);
    for (const x of inFlight) expect(isAnswerOr16(x) || verdict(x) === 'fault:S999', verdict(x)).toBe(true);
    expect(inFlight.some(isAnswerOr16)).toBe(true);
    // Queries sent during the outage are refused at once (no waiting on a dead Redis). One sent
    // in the instant before Redis actually went down may still get its real answer.
    for (const x of during) {
      if (verdict(x) !== QUERIES[x.kind].ergebnisstatus) expect(x.endedAt - x.startedAt, verdict(x)).toBeLessThan(1_000);
    }
    // Readiness follows Redis.
    expect(notReadyAt).toBeDefined();
    expect((notReadyAt as number) - killedAt).toBeLessThan(OUTAGE_MS);
    expect(readiness.filter((x) => x.at > (notReadyAt as number) && x.at < restartedAt).every((x) => x.status === 503)).toBe(true);
    expect(readyAgainAt).toBeDefined();
    expect(readiness.at(-1)?.status).toBe(200);
    // After the restart: real answers again, for every kind of query.
    expect(after.length).toBeGreaterThan(SENDERS);
    for (const x of after) expect(verdict(x), `${x.kind}\n${g.log}`).toBe(QUERIES[x.kind].ergebnisstatus);
    expect(g.running).toBe(true);
  }, 60_000);

  it('does not refuse fresh queries as duplicates (S100) while Redis is down', () => {
    // Every query of the run carried a fresh nachrichtenUUID. One that cannot be checked or
    // answered during the outage should end as a technical failure (1331 with rueckweisung 16,
    // or a receiver-side fault such as S999), not as "duplicate delivery", which tells the
    // caller its message was already processed.
    const { killedAt, restartedAt } = timeline;
    expect(killedAt).toBeGreaterThan(0);
    const during = results.filter((x) => x.startedAt > killedAt + 100 && x.startedAt < restartedAt);
    expect(during.length).toBeGreaterThan(0);
    const s100 = results.filter((x) => verdict(x) === 'fault:S100');
    expect(s100.length, `${s100.length} fresh queries refused as S100 (${during.length} sent during the outage)`).toBe(0);
    for (const x of during) expect(['r16', 'fault:S999']).toContain(verdict(x));
  });

  it('still refuses a message replayed after the restart, though Redis forgot the replay window', () => {
    // This Redis keeps nothing on disk. The guard knows since when the store remembers and
    // refuses an older message as undecidable (S999); with persistence it would be S100.
    expect(replay.first && verdict(replay.first)).toBe('01');
    expect(['fault:S100', 'fault:S999'], 'the same signed message was accepted twice').toContain(replay.again && verdict(replay.again));
  });
});
