import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/gateway-config.js';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';
import { REDIS_URL, deleteRedisPrefix, runId } from '../faults/support.js';

const POLICE = 'dbs:030000010000';
const hit = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');

async function operatorEvents(h: Harness): Promise<ProtocolRecord[]> {
  const out: ProtocolRecord[] = [];
  for await (const r of h.gateway.protocol.export({ hops: ['operator'] }, { kind: 'dpo', id: 'test', purpose: 'Test' })) out.push(r);
  return out;
}

/** Two gateway instances of one deployment (one Redis prefix), each with its worker threads. */
describe('a suspension on one instance takes effect on the other without a restart (Redis)', () => {
  const prefix = `xmeld-reload-${runId()}`;
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    const shared = (c: GatewayConfig): void => {
      c.queue = { ...c.queue, redisUrl: REDIS_URL, prefix };
      c.processing = { ...c.processing, threads: 2, offloadAboveBytes: 0 };
    };
    a = await startHarness({ config: shared });
    b = await startHarness({ config: shared });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await deleteRedisPrefix(REDIS_URL, prefix);
  });

  it('suspends on A, refuses on B (T070) with the next message, lifts it the same way', async () => {
    expect(answerFacts((await postSoap(b.endpoint, b.signed(hit).xml)).body).ergebnisstatus).toBe('01');

    const heard = once(b.gateway.reloader, 'applied');
    const result = await a.gateway.reloader.setSuspension({ kind: 'authority', id: POLICE, suspended: true, reason: 'Sicherheitsmangel gemeldet', by: 'operator:test' });
    expect(result).toEqual({ ok: true, changes: [`authority ${POLICE} suspended`] });
    expect(await heard).toEqual([[`authority ${POLICE} suspended`]]);

    for (const gw of [a, b]) {
      const answers = await Promise.all(Array.from({ length: 4 }, () => postSoap(gw.endpoint, gw.signed(hit).xml)));
      for (const r of answers) expect(answerFacts(r.body).rts).toBe('T070');
    }

    const lifted = once(b.gateway.reloader, 'applied');
    expect((await a.gateway.reloader.setSuspension({ kind: 'authority', id: POLICE, suspended: false, reason: 'behoben', by: 'operator:test' })).ok).toBe(true);
    await lifted;
    expect(answerFacts((await postSoap(b.endpoint, b.signed(hit).xml)).body).ergebnisstatus).toBe('01');

    // Each instance protocols the change it applied: who, what, why.
    const [onA, onB] = [await operatorEvents(a), await operatorEvents(b)];
    expect(onA.map((e) => e.operatorEvent)).toEqual([
      { action: 'suspend', actor: 'operator:test', changes: [`authority ${POLICE} suspended`], reason: 'Sicherheitsmangel gemeldet' },
      { action: 'unsuspend', actor: 'operator:test', changes: [`authority ${POLICE} no longer suspended`], reason: 'behoben' },
    ]);
    expect(onB.map((e) => [e.operatorEvent?.actor, e.operatorEvent?.changes])).toEqual([
      ['peer:operator:test', [`authority ${POLICE} suspended`]],
      ['peer:operator:test', [`authority ${POLICE} no longer suspended`]],
    ]);
  });

  it('an instance started later applies the suspensions kept in Redis before its first message', async () => {
    await a.gateway.reloader.setSuspension({ kind: 'authority', id: POLICE, suspended: true, reason: 'erneut', by: 'operator:test' });
    const c = await startHarness({ config: (cfg) => { cfg.queue = { ...cfg.queue, redisUrl: REDIS_URL, prefix }; cfg.processing = { ...cfg.processing, threads: 1, offloadAboveBytes: 0 }; } });
    try {
      expect(answerFacts((await postSoap(c.endpoint, c.signed(hit).xml)).body).rts).toBe('T070');
    } finally {
      await c.close();
    }
  });
});
