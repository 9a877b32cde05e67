import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';
import { trailOf as trailOfStore } from '../support/trail-of.js';

// The person of this fixture lives in Bayern (AGS 09162000): Land 09 answers for her.
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function trailOf(uuid: string): Promise<ProtocolRecord[]> {
  // The delivery is recorded after the answer's bytes; these checks end at the register's answer.
  return (await trailOfStore(h.gateway.protocol, uuid)).filter((r) => r.hop !== 'delivered');
}

describe('a retry towards a register', () => {
  it('is a new message: its own nachrichtenUUID, on record before it leaves, answered under it', async () => {
    // Down for the first attempt, back for the retry.
    h.simulator.setBehaviour('09', { downForRequests: 1 });
    const m = h.signed(query);
    const res = await postSoap(h.endpoint, m.xml);
    h.simulator.setBehaviour('09', {});
    const facts = answerFacts(res.body);
    expect(facts.ergebnisstatus).toBe('01');
    // The caller's answer still names the caller's message.
    expect(res.body).toContain(m.uuid);

    const trail = await trailOf(m.uuid);
    expect(trail.map((r) => r.hop)).toEqual(['received', 'routed', 'dispatched', 'dispatched', 'answered']);
    const [first, second] = trail.filter((r) => r.hop === 'dispatched');
    expect(first?.nachrichtenUUID).toBe(m.uuid);
    expect(second?.nachrichtenUUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second?.nachrichtenUUID).not.toBe(m.uuid);
    // Both attempts belong to the one Vorgang and went to the same register.
    expect(new Set(trail.map((r) => r.vorgangsnummer)).size).toBe(1);
    expect(first?.target).toBe('land:09');
    expect(second?.target).toBe('land:09');
  });

  it('gives up with rueckweisung 16 when the register stays down, every attempt on record', async () => {
    h.simulator.setBehaviour('09', { down: true });
    const m = h.signed(query);
    const res = await postSoap(h.endpoint, m.xml);
    h.simulator.setBehaviour('09', {});
    expect(answerFacts(res.body).rueckweisung).toEqual(['16']);
    const trail = await trailOf(m.uuid);
    const attempts = trail.filter((r) => r.hop === 'dispatched');
    expect(attempts).toHaveLength(3); // DEFAULT_RETRY: three attempts in all
    expect(new Set(attempts.map((r) => r.nachrichtenUUID)).size).toBe(3);
    expect(trail.at(-1)?.hop).toBe('failed');
  });
});
