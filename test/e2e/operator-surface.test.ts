import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await postSoap(h.endpoint, h.signed(readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8')).xml);
  await postSoap(h.endpoint, '<kaputt');
});
afterAll(async () => {
  await h?.close();
});

async function get(p: string): Promise<{ status: number; body: string; type: string }> {
  const res = await request(`${h.gateway.url}${p}`);
  return { status: res.statusCode, body: await res.body.text(), type: String(res.headers['content-type']) };
}

describe('operator surface (contract §9)', () => {
  it('/health answers while the process lives, /ready names its checks', async () => {
    expect(await get('/health')).toMatchObject({ status: 200 });
    const ready = await get('/ready');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', checks: { queue: true, protocol: true, signing: true } });
  });

  it('/metrics has queries by type, outcome and target, refusals, stage latencies and target gauges', async () => {
    const m = await get('/metrics');
    expect(m.type).toContain('text/plain');
    expect(m.body).toMatch(/xmeld_gateway_queries_total\{message_type="1330",outcome="hit",target="land:09"\} 1/);
    expect(m.body).toMatch(/xmeld_gateway_refusals_total\{rts="X000"\} 1/);
    // intake ran for both requests, the later stages only for the query that went through.
    expect(m.body).toContain('xmeld_gateway_stage_duration_seconds_count{stage="intake"} 2');
    for (const stage of ['register', 'normalize', 'answer']) {
      expect(m.body).toContain(`xmeld_gateway_stage_duration_seconds_count{stage="${stage}"} 1`);
    }
    // Two protocol writes: the evidence before the query leaves, the rest with the answer.
    expect(m.body).toContain('xmeld_gateway_stage_duration_seconds_count{stage="protocol"} 2');
    expect(m.body).toMatch(/xmeld_gateway_target_outstanding\{target="land:09"\} 0/);
    expect(m.body).toMatch(/xmeld_gateway_target_circuit_open\{target="land:09"\} 0/);
  });

  it('serves the WSDL with its own address and the schemas it imports, nothing else', async () => {
    const wsdl = await get('/xmeld?wsdl');
    expect(wsdl.body).toContain(`location="${h.endpoint}"`);
    const imported = /schemaLocation="\?xsd=([^"]+)"/.exec(wsdl.body)?.[1];
    expect(imported).toBeDefined();
    expect((await get(`/xmeld?xsd=${imported}`)).body).toContain('xs:schema');
    expect((await get('/xmeld?xsd=../package.json')).status).toBe(404);
    expect((await get('/xmeld?xsd=%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });
});
