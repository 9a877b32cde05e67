import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPki } from '../../src/security/test-pki.js';
import type { SimulatedRegisters } from '../../src/simulator/server.js';
import {
  DATABASE_URL, GatewayProcess, REDIS_URL, deleteRedisPrefix, dropSchema, hopsOf, newAgent, readProtocol, runId,
  sendQuery, signedQuery, sleep, startRegisters, tally, verdict, type SendResult,
} from './support.js';

const SLOW_MS = 2_000;
const DEADLINE_MS = 8_000;

/** SIGTERM while slow queries are in flight: they are answered, nothing new is taken, exit 0. */
describe('graceful shutdown of a gateway process (SIGTERM)', () => {
  const run = runId();
  const prefix = `xmeld-fault-term-${run}`;
  const schema = `fault_term_${run}`;
  let pki: TestPki;
  let simulator: SimulatedRegisters;
  let gw: GatewayProcess | undefined;
  const agent = newAgent();

  beforeAll(async () => {
    ({ pki, simulator } = await startRegisters(SLOW_MS));
    gw = await GatewayProcess.start({
      simulator, redisUrl: REDIS_URL, prefix, databaseUrl: DATABASE_URL, schema,
      deadlineMs: DEADLINE_MS, queueKey: randomBytes(32).toString('hex'),
    });
  });
  afterAll(async () => {
    await gw?.stop(5_000);
    await simulator?.close();
    await agent.close();
    await deleteRedisPrefix(REDIS_URL, prefix);
    await dropSchema(DATABASE_URL, schema);
  });

  it('answers the slow queries in flight, refuses new ones, and exits 0 within the deadline', async () => {
    const g = gw as GatewayProcess;
    // Warm-up: one fast query end to end.
    expect(verdict(await sendQuery(agent, g.endpoint, signedQuery(pki, 'hit').xml, { kind: 'hit', to: 0 }, DEADLINE_MS + 5_000))).toBe('01');

    const slow = Array.from({ length: 8 }, () => signedQuery(pki, 'slow').xml);
    const inFlight = slow.map((xml) => sendQuery(agent, g.endpoint, xml, { kind: 'slow', to: 0 }, DEADLINE_MS + 5_000));
    // Let them reach the simulator (which holds them for SLOW_MS).
    await sleep(600);
    const signalledAt = Date.now();
    g.signal('SIGTERM');
    await sleep(150);
    // After the signal: a new connection is refused, or answered 503 while the server closes.
    const late: SendResult[] = [];
    for (let i = 0; i < 3; i++) {
      late.push(await sendQuery(agent, g.endpoint, signedQuery(pki, 'hit').xml, { kind: 'hit', to: 0 }, 3_000));
      await sleep(100);
    }

    const answered = await Promise.all(inFlight);
    const exit = await Promise.race([g.exited, sleep(DEADLINE_MS + 2_000).then(() => undefined)]);
    const exitMs = Date.now() - signalledAt;
    console.error(`[measure] SIGTERM: in flight ${JSON.stringify(tally(answered))}, after signal ${JSON.stringify(tally(late))}, exit ${JSON.stringify(exit)} (${exitMs} ms after the signal; ${g.running ? 'still running' : 'gone'})`);

    // Every slow query in flight got its real answer (the simulator's 03 after SLOW_MS).
    for (const r of answered) {
      expect(verdict(r), g.log).toBe('03');
      expect(r.endedAt - r.startedAt).toBeLessThan(DEADLINE_MS);
    }
    // Nothing new was taken on: refused at the TCP level or 503.
    for (const r of late) {
      expect(r.status === undefined ? r.error : r.status, g.log).toSatisfy((v: unknown) => v === 503 || v === 'ECONNREFUSED' || v === 'ECONNRESET' || v === 'UND_ERR_SOCKET');
    }
    expect(exit, `exit within the deadline:\n${g.log}`).toBeDefined();
    expect(exit?.code, g.log).toBe(0);
    expect(exitMs).toBeLessThan(DEADLINE_MS);

    // The protocol of every answered query was committed before the process ended.
    const { chains, verify } = await readProtocol(DATABASE_URL, schema);
    for (const r of answered) {
      const hops = hopsOf(chains, r.facts?.vorgangsnummer);
      expect(hops[0]).toBe('received');
      expect(hops.at(-1)).toBe('delivered');
    }
    expect(verify.ok).toBe(true);
  }, 40_000);
});
