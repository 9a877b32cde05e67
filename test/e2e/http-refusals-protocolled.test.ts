import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HopSecurity } from '../../src/security/hop-security.js';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { collect } from '../protocol/fixtures.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';

const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');

/** Verification that fails unexpectedly (not a refusal): the HTTP layer's "Interner Fehler". */
const crashing: HopSecurity = {
  verify: () => Promise.reject(new TypeError('unexpected')),
  sign: async (xml) => xml,
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ gateway: { security: crashing } });
});
afterAll(async () => {
  await h?.close();
});

const rejected = (): Promise<ProtocolRecord[]> =>
  collect(h.gateway.protocol.export({ hops: ['rejected'] }, { kind: 'dpo', id: 'http-refusals-test' }));

describe('refusals raised in the HTTP layer leave a rejected record with their RTS code', () => {
  it('an unexpected error: receiver-side S999 fault, recorded', async () => {
    const before = (await rejected()).length;
    const res = await request(h.endpoint, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: h.signed(query).xml });
    const text = await res.body.text();
    expect(res.statusCode).toBe(500);
    expect(text).toContain('Interner Fehler');
    const after = await rejected();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)?.outcome?.rts).toBe('S999');
  });

  it('a content type that is no SOAP: 415, recorded with S999', async () => {
    const before = (await rejected()).length;
    const res = await request(h.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await res.body.text();
    expect(res.statusCode).toBe(415);
    const after = await rejected();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)?.outcome?.rts).toBe('S999');
    expect(after.at(-1)?.hop).toBe('rejected');
  });
});
