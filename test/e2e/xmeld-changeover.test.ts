import { readFileSync } from 'node:fs';
import path from 'node:path';
import soap from 'soap';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/gateway-config.js';
import { ReleaseSchemas } from '../../src/xmeld/release-schemas.js';
import { RELEASE_FACTS } from '../../src/xmeld/releases.js';
import { translateQuery } from '../../src/xmeld/translate/translate-query.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

/** Issue #19: V000, the releases a party may send, and the change-over windows, over HTTP. */
const schemas = ReleaseSchemas.load();
const hit25 = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
const hit26 = translateQuery(hit25, { message: '1330', from: '25.11a', to: '26.11' }, schemas.validator);
const NS25 = RELEASE_FACTS['25.11a'].namespace;
const NS26 = RELEASE_FACTS['26.11'].namespace;

const day = (offsetDays: number): string => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

const open: Harness[] = [];
afterAll(async () => {
  await Promise.all(open.map((h) => h.close()));
  schemas.dispose();
});
async function harness(config: (c: GatewayConfig) => void): Promise<Harness> {
  const h = await startHarness({ config });
  open.push(h);
  return h;
}

async function send(h: Harness, xml: string): Promise<ReturnType<typeof answerFacts> & { text: string }> {
  const res = await postSoap(h.endpoint, h.signed(xml).xml);
  return { ...answerFacts(res.body), text: res.body };
}

describe('V000: a release the gateway does not speak', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(() => undefined);
  });

  it('another XMeld namespace is refused with V000 naming the releases supported', async () => {
    const r = await send(h, hit25.replaceAll(NS25, 'http://www.osci.de/xmeld2505'));
    expect(r.rts).toBe('V000');
    expect(r.text).toContain('25.11a, 26.11');
  });

  it('a version attribute that contradicts the namespace is V000', async () => {
    expect((await send(h, hit25.replace('version="25.11a"', 'version="26.11"'))).rts).toBe('V000');
    expect((await send(h, hit26.replace('version="26.11"', 'version="25.11a"'))).rts).toBe('V000');
  });

  it('?wsdl=26.11 describes the same operations in 26.11 terms (a stock client reads it)', async () => {
    const wsdl = await (await request(`${h.endpoint}?wsdl=26.11`)).body.text();
    expect(wsdl).toContain(`xmlns:xmeld="${NS26}"`);
    expect(wsdl).toContain('?xsd=xmeld-2611/xmeld.xsd');
    expect(wsdl).not.toContain(NS25);
    const client = await soap.createClientAsync(`${h.endpoint}?wsdl=26.11`);
    const ports = (client.describe() as Record<string, Record<string, Record<string, unknown>>>)['XmeldGatewayService'] ?? {};
    expect(Object.keys(ports['XmeldGatewaySoap11'] ?? {}).sort()).toEqual(['freieSuche', 'personensuche']);
    expect((await request(`${h.endpoint}?wsdl=24.05`)).statusCode).toBe(404);
  });

  it('both releases are accepted by default', async () => {
    expect((await send(h, hit25)).ergebnisstatus).toBe('01');
    expect((await send(h, hit26)).ergebnisstatus).toBe('01');
  });
});

describe('the releases a party may send', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness((c) => {
      const mirror = c.parties.find((p) => p.id === 'mirror');
      if (mirror) mirror.xmeldReleases = ['25.11a'];
    });
  });

  it('a release its registration does not name is V000, naming the one it does', async () => {
    const r = await send(h, hit26);
    expect(r.rts).toBe('V000');
    expect(r.text).toContain('vereinbart: 25.11a');
    expect((await send(h, hit25)).ergebnisstatus).toBe('01');
  });
});

describe('change-over windows', () => {
  it('after its acceptedUntil day a release is refused with V000; the other goes on', async () => {
    const h = await harness((c) => { c.xmeld.releases = { '25.11a': { acceptedUntil: day(-1) }, '26.11': { defaultFrom: day(-30) } }; });
    const refused = await send(h, hit25);
    expect(refused.rts).toBe('V000');
    expect(refused.text).toContain('angenommen: 26.11');
    expect((await send(h, hit26)).ergebnisstatus).toBe('01');
  });

  it('a retirement set by reload takes effect at once, on every worker thread, without a restart', async () => {
    let windows: GatewayConfig['xmeld']['releases'] = {};
    let base: GatewayConfig | undefined;
    const h = await startHarness({
      config: (c) => { base = c; },
      gateway: { loadConfig: () => ({ ...(base as GatewayConfig), xmeld: { releases: windows } }) },
    });
    open.push(h);
    expect((await send(h, hit25)).ergebnisstatus).toBe('01');
    windows = { '25.11a': { acceptedUntil: day(-1) } };
    const result = await h.gateway.reloader.reload({ actor: 'operator:test' });
    expect(result.ok).toBe(true);
    const refused = await Promise.all([1, 2, 3, 4].map(() => send(h, hit25)));
    for (const r of refused) expect(r.rts).toBe('V000');
    expect((await send(h, hit26)).ergebnisstatus).toBe('01');
  });

  it('on its acceptedUntil day a release is still accepted', async () => {
    const h = await harness((c) => { c.xmeld.releases = { '25.11a': { acceptedUntil: day(0) } }; });
    expect((await send(h, hit25)).ergebnisstatus).toBe('01');
  });

  it.each([
    ['before 26.11 becomes the default, an unreadable message is answered in 25.11a', day(1), NS25],
    ['from its defaultFrom day on, in 26.11', day(0), NS26],
  ])('%s', async (_name, defaultFrom, ns) => {
    const h = await harness((c) => { c.xmeld.releases = { '25.11a': { defaultFrom: '2025-11-01' }, '26.11': { defaultFrom } }; });
    const res = await postSoap(h.endpoint, '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><broken></soap:Body>');
    const facts = answerFacts(res.body);
    expect(facts.rts).toBe('X000');
    expect(facts.xmeldNamespace).toBe(ns);
  });
});
