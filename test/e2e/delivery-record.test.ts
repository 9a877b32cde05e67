import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';
import { trailOf as trailOfStore } from '../support/trail-of.js';

const fixture = (name: string): string => readFileSync(path.join(fixturesDir, 'queries', name), 'utf8');
let h: Harness;

beforeAll(async () => {
  // "Langsam" is held by the simulated register this long, then answered 03.
  h = await startHarness({ simulator: { slowDelayMs: 1_500 } });
});
afterAll(async () => {
  await h?.close();
});

function trailOf(uuid: string): Promise<ProtocolRecord[]> {
  return trailOfStore(h.gateway.protocol, uuid);
}

/** The delivery is recorded after the bytes went out, so it may trail the caller's answer. */
async function closedTrail(uuid: string): Promise<ProtocolRecord[]> {
  for (let i = 0; i < 100; i++) {
    const trail = await trailOf(uuid);
    if (trail.some((r) => r.hop === 'delivered' || r.hop === 'delivery-failed')) return trail;
    await new Promise((r) => setTimeout(r, 50));
  }
  return trailOf(uuid);
}

describe('the record of a delivery', () => {
  it('records delivered, after the answer, with its kind', async () => {
    const m = h.signed(fixture('1330-unique-hit.xml'));
    const res = await postSoap(h.endpoint, m.xml);
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
    const hops = (await closedTrail(m.uuid)).map((r) => r.hop);
    expect(hops).toEqual(['received', 'routed', 'dispatched', 'answered', 'delivered']);
    // The mirror asks for a security authority: the operator partition keeps the technical part.
    expect((await trailOf(m.uuid)).at(-1)?.messageType).toBe('1331');
  });

  it('records delivery-failed when the caller hung up before the answer was ready', async () => {
    const m = h.signed(fixture('1330-slow.xml'));
    await expect(request(h.endpoint, {
      method: 'POST', body: m.xml, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '' },
      signal: AbortSignal.timeout(300),
    })).rejects.toThrow();
    const trail = await closedTrail(m.uuid);
    expect(trail.map((r) => r.hop)).toEqual(['received', 'routed', 'dispatched', 'answered', 'delivery-failed']);
    expect(trail.at(-1)?.messageType).toBe('1331');
    // A closed trail: the start-up sweep has nothing to close.
    expect(await h.gateway.protocol.closeAbandoned(new Date(0), new Date(Date.now() + 60_000))).toBe(0);
  });
});
