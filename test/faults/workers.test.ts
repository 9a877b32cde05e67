import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPki } from '../../src/security/test-pki.js';
import type { SimulatedRegisters } from '../../src/simulator/server.js';
import {
  DATABASE_URL, GatewayProcess, REDIS_URL, deleteRedisPrefix, dropSchema, newAgent, readProtocol, runId,
  sendQuery, signedQuery, startRegisters, verdict,
} from './support.js';

const DEADLINE_MS = 8_000;

/** `start --workers 2`: two processes on one port share the load, the stores and a clean stop. */
describe('xmeld-gateway start --workers 2', () => {
  const run = runId();
  const prefix = `xmeld-fault-workers-${run}`;
  const schema = `fault_workers_${run}`;
  let pki: TestPki;
  let simulator: SimulatedRegisters;
  let gw: GatewayProcess | undefined;
  const agent = newAgent();

  beforeAll(async () => {
    ({ pki, simulator } = await startRegisters(1_000));
    gw = await GatewayProcess.start({
      simulator, redisUrl: REDIS_URL, prefix, databaseUrl: DATABASE_URL, schema,
      deadlineMs: DEADLINE_MS, queueKey: randomBytes(32).toString('hex'), args: ['--workers', '2'],
    });
    // /ready answers as soon as one worker listens; the cluster shares connections only among listeners.
    await gw.waitForOutput(/2 workers listening on/, 30_000);
  });
  afterAll(async () => {
    await gw?.stop(5_000);
    await simulator?.close();
    await agent.close();
    await deleteRedisPrefix(REDIS_URL, prefix);
    await dropSchema(DATABASE_URL, schema);
  });

  it('answers through both workers and stops cleanly on SIGTERM', async () => {
    const g = gw as GatewayProcess;
    const results = await Promise.all(Array.from({ length: 24 }, () =>
      sendQuery(agent, g.endpoint, signedQuery(pki, 'hit').xml, { kind: 'hit', to: 0 }, DEADLINE_MS + 5_000)));
    for (const r of results) expect(verdict(r)).toBe('01');
    // The instance part of the Vorgangsnummer tells which worker answered.
    const instances = new Set(results.map((r) => r.facts?.vorgangsnummer?.split('-')[2]?.slice(0, 6)));
    expect(instances.size).toBe(2);
    const { verify } = await readProtocol(DATABASE_URL, schema);
    expect(verify.ok).toBe(true);
    g.signal('SIGTERM');
    const exit = await g.exited;
    expect(exit.code).toBe(0);
  });
});
