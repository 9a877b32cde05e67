import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPki } from '../../src/security/test-pki.js';
import type { SimulatedRegisters } from '../../src/simulator/server.js';
import { RedisProcess } from '../queue/redis-process.js';
import {
  DATABASE_URL, GatewayProcess, dropSchema, newAgent, readProtocol, runId, sendQuery, signedQuery, sleep, startRegisters, verdict,
} from './support.js';

const SLOW_MS = 20_000;
const DEADLINE_MS = 30_000;
const GRACE_MS = 1_500;

/**
 * Issue #20: SIGTERM is bounded whatever the stores do. With queries hanging at a register and
 * Redis gone, the process answers each of them with a SOAP fault once the grace is over,
 * records that, and exits — long before the queries' own deadline.
 */
describe('bounded shutdown with Redis down', () => {
  const run = runId();
  const schema = `fault_bounded_${run}`;
  let pki: TestPki;
  let simulator: SimulatedRegisters;
  let redis: RedisProcess | undefined;
  let gw: GatewayProcess | undefined;
  const agent = newAgent();

  beforeAll(async () => {
    ({ pki, simulator } = await startRegisters(SLOW_MS));
    redis = await RedisProcess.start();
    gw = await GatewayProcess.start({
      simulator, redisUrl: redis.url, prefix: `xmeld-fault-bounded-${run}`, databaseUrl: DATABASE_URL, schema,
      deadlineMs: DEADLINE_MS, queueKey: randomBytes(32).toString('hex'), http: { shutdownGraceMs: GRACE_MS },
    });
  });
  afterAll(async () => {
    await gw?.stop(5_000);
    await simulator?.close();
    await agent.close();
    await redis?.kill();
    await dropSchema(DATABASE_URL, schema);
  });

  it('answers the hanging queries with S999 after the grace and exits within grace + a few seconds', async () => {
    const g = gw as GatewayProcess;
    const hanging = Array.from({ length: 4 }, () => sendQuery(agent, g.endpoint, signedQuery(pki, 'slow').xml, { kind: 'slow', to: 0 }, DEADLINE_MS + 5_000));
    // Once all four are at the simulator, which holds them for SLOW_MS (a fixed sleep is too short on a loaded machine).
    for (let i = 0; i < 500 && simulator.held() < 4; i++) await sleep(20);
    expect(simulator.held()).toBe(4);
    await redis?.kill();
    const signalledAt = Date.now();
    g.signal('SIGTERM');
    const answered = await Promise.all(hanging);
    const exit = await Promise.race([g.exited, sleep(GRACE_MS + 12_000).then(() => undefined)]);
    const exitMs = Date.now() - signalledAt;
    console.error(`[measure] bounded shutdown: ${answered.map(verdict).join(', ')}; exit ${JSON.stringify(exit)} after ${exitMs} ms`);
    // Every caller got an answer: the fault of the shutdown, never a reset or silence.
    for (const r of answered) {
      expect(r.status, verdict(r)).toBe(503);
      expect(verdict(r)).toBe('fault:S999');
      expect(r.endedAt - signalledAt).toBeLessThan(DEADLINE_MS - SLOW_MS);
    }
    expect(exit).toBeDefined();
    expect(exitMs).toBeLessThan(GRACE_MS + 10_000);
    // The refusals are in the protocol (PostgreSQL was up).
    const { chains } = await readProtocol(DATABASE_URL, schema);
    const refused = [...chains.values()].flat().filter((rec) => rec.hop === 'rejected' && rec.outcome?.rts === 'S999');
    expect(refused.length).toBeGreaterThanOrEqual(answered.length);
  });
});
