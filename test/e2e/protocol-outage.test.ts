import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGliteProtocolStore, IN_MEMORY } from '../../src/protocol/pglite-store.js';
import type { NewProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { ProtocolStore } from '../../src/protocol/protocol-store.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

/** A protocol store that an operator's SIGSTOP froze: calls hang until it is thawed. */
class FreezableStore {
  frozen = false;
  private thawed: (() => void)[] = [];
  constructor(readonly inner: ProtocolStore) {}
  freeze(): void {
    this.frozen = true;
  }
  thaw(): void {
    this.frozen = false;
    for (const t of this.thawed.splice(0)) t();
  }
  private async gate(): Promise<void> {
    if (this.frozen) await new Promise<void>((r) => this.thawed.push(r));
  }
  asStore(): ProtocolStore {
    return new Proxy(this.inner, {
      get: (target, prop, receiver) => {
        if (prop === 'append') return async (records: NewProtocolRecord[]) => { await this.gate(); return target.append(records); };
        if (prop === 'ping') return async () => { await this.gate(); return target.ping(); };
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

const DEADLINE_MS = 2_000;
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
let h: Harness;
let store: FreezableStore;

beforeAll(async () => {
  store = new FreezableStore(await PGliteProtocolStore.open({ dataDir: IN_MEMORY }));
  h = await startHarness({ config: (c) => { c.http.requestDeadlineMs = DEADLINE_MS; }, gateway: { protocol: store.asStore() } });
});
afterAll(async () => {
  store?.thaw();
  await h?.close();
  await store?.inner.close();
});

describe('a protocol store that freezes', () => {
  it('answers normally while the store works', async () => {
    const res = await postSoap(h.endpoint, h.signed(query).xml);
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
  });

  it('frozen: the caller gets a receiver-side S999 "Protokollierung nicht möglich" within its deadline, and /ready says not ready within a second', async () => {
    store.freeze();
    try {
      const t0 = Date.now();
      const res = await postSoap(h.endpoint, h.signed(query).xml);
      const took = Date.now() - t0;
      expect(res.status).toBe(500);
      expect(res.body).toContain('<code>S999</code>');
      expect(res.body).toContain('Protokollierung nicht möglich');
      expect(res.body).not.toContain('Frieda'); // nothing of an answer without its trail
      expect(took).toBeLessThan(DEADLINE_MS + 1_000);

      const r0 = Date.now();
      const ready = await request(`${h.gateway.url}/ready`);
      expect(ready.statusCode).toBe(503);
      expect(JSON.parse(await ready.body.text())).toMatchObject({ checks: { protocol: false } });
      expect(Date.now() - r0).toBeLessThan(1_000);
    } finally {
      store.thaw();
    }
  });

  it('recovers by itself once the store is back', async () => {
    const res = await postSoap(h.endpoint, h.signed(query).xml);
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
    const ready = await request(`${h.gateway.url}/ready`);
    expect(ready.statusCode).toBe(200);
    await ready.body.text();
  });
});
