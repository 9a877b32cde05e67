import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGliteProtocolStore, IN_MEMORY } from '../../src/protocol/pglite-store.js';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

// Embedded defaults: no Redis, so the replay window is the process's own. The protocol store
// outlives the process (here: one store handed to both gateways, as a data directory would be).
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
let store: PGliteProtocolStore;
let first: Harness | undefined;
let second: Harness | undefined;

beforeAll(async () => {
  store = await PGliteProtocolStore.open({ dataDir: IN_MEMORY });
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  await store?.close();
});

async function records(): Promise<ProtocolRecord[]> {
  const out: ProtocolRecord[] = [];
  for await (const r of store.export({}, { kind: 'dpo', id: 'dsb@test' })) out.push(r);
  return out;
}

describe('the replay window across a restart on embedded defaults', () => {
  it('refuses every message answered before the restart when it is sent again byte for byte', async () => {
    first = await startHarness({ gateway: { protocol: store } });
    const sent = Array.from({ length: 3 }, () => (first as Harness).signed(query));
    for (const m of sent) {
      const res = await postSoap(first.endpoint, m.xml);
      expect(answerFacts(res.body).ergebnisstatus).toBe('01');
    }
    await first.close();
    first = undefined;

    const dispatchedBefore = (await records()).filter((r) => r.hop === 'dispatched').length;
    second = await startHarness({ gateway: { protocol: store } });
    for (const m of sent) {
      const res = await postSoap(second.endpoint, m.xml);
      expect(res.status).toBe(500);
      expect(answerFacts(res.body).rts).toBe('S100');
    }
    const after = await records();
    // Nothing went to a register again: no new dispatched hop, three S100 refusals on record.
    expect(after.filter((r) => r.hop === 'dispatched')).toHaveLength(dispatchedBefore);
    const refused = after.filter((r) => r.hop === 'rejected' && r.outcome?.rts === 'S100');
    expect(refused.map((r) => r.nachrichtenUUID).sort()).toEqual(sent.map((m) => m.uuid).sort());
  });

  it('still takes new messages after the restart', async () => {
    const h = second ?? await startHarness({ gateway: { protocol: store } });
    second = h;
    const res = await postSoap(h.endpoint, h.signed(query).xml);
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
  });
});
