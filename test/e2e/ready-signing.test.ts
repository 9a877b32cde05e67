import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import type { HopSecurity } from '../../src/security/hop-security.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';

const open: Harness[] = [];
afterAll(async () => {
  await Promise.all(open.map((h) => h.close()));
});

async function ready(h: Harness): Promise<{ status: number; checks: Record<string, boolean> }> {
  const res = await request(`${h.gateway.url}/ready`);
  return { status: res.statusCode, checks: ((await res.body.json()) as { checks: Record<string, boolean> }).checks };
}

describe('/ready signing', () => {
  it('is true when the live key signs', async () => {
    const h = await startHarness();
    open.push(h);
    const r = await ready(h);
    expect(r.checks['signing']).toBe(true);
    expect(r.status).toBe(200);
  });

  it('is false (503) when the key the pipeline signs with cannot sign, though its certificate is fine', async () => {
    const broken: HopSecurity = {
      verify: () => Promise.reject(new Error('not used')),
      sign: () => Promise.reject(new Error('key not usable')),
    };
    const h = await startHarness({ gateway: { security: broken } });
    open.push(h);
    const r = await ready(h);
    expect(r.checks['signing']).toBe(false);
    expect(r.checks['protocol']).toBe(true);
    expect(r.status).toBe(503);
  });
});
