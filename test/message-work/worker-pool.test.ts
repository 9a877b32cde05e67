import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type GatewayConfig } from '../../src/config/gateway-config.js';
import { QueryRefused } from '../../src/message-work/accept-query.js';
import { createLogger } from '../../src/log/logger.js';
import { createConfiguredWork, inlineMessageWork, type ConfiguredWork } from '../../src/message-work/configured-message-work.js';
import type { InlineMessageWork } from '../../src/message-work/inline-message-work.js';
import { WorkersOverloadedError } from '../../src/message-work/overloaded.js';
import { WorkerPoolMessageWork } from '../../src/message-work/worker-pool-message-work.js';
import { InMemoryReplayGuard, ReplayGuardUnavailableError, type ReplayGuard } from '../../src/security/replay-guard.js';
import type { TestPki } from '../../src/security/test-pki.js';
import { fixturesDir, projectRoot } from '../support/paths.js';
import { loadTestPki, signAs, testPkiDir, withFreshUuid } from '../support/test-pki.js';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const fixture = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8').replace(/^<\?xml[^?]*\?>\s*/, '');

function signedQuery(pki: TestPki, headerXml = ''): Buffer {
  const { xml } = withFreshUuid(fixture);
  return Buffer.from(signAs(pki, `<soap:Envelope xmlns:soap="${SOAP11}"><soap:Header>${headerXml}</soap:Header><soap:Body>${xml}</soap:Body></soap:Envelope>`));
}

/** ≈ 5 MB of foreign header elements: legal, unsigned, but every byte must be parsed. */
function padding(): string {
  const item = '<p:pad xmlns:p="urn:test:pad">0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP</p:pad>';
  return item.repeat(Math.ceil(5_000_000 / item.length));
}

describe('message work on worker threads', () => {
  let pki: TestPki;
  let config: GatewayConfig;
  let configured: ConfiguredWork;
  let inline: InlineMessageWork;
  let pool: WorkerPoolMessageWork;
  const guard = new InMemoryReplayGuard();

  beforeAll(async () => {
    pki = await loadTestPki();
    config = loadConfig(path.join(projectRoot, 'config/default.yaml'), {});
    config.security = { ...config.security, testPki: testPkiDir() };
    config.log = { level: 'silent' };
    // The 5 MB message below is within limits raised for it (by default its 50,000 elements are refused).
    config.limits = { request: { maxElements: 100_000, maxAttributes: 200_000, maxNamespaceDeclarations: 100_000 }, answer: {} };
    configured = await createConfiguredWork(config, { log: createLogger('silent'), replayGuard: new InMemoryReplayGuard() });
    inline = inlineMessageWork(config, configured);
    pool = new WorkerPoolMessageWork(config, guard, 2);
    await pool.ready();
  });

  afterAll(async () => {
    await pool.close();
    await inline.close();
    configured.dispose();
  });

  it('accepts a signed query exactly as the event loop does', async () => {
    const raw = signedQuery(pki);
    const viaPool = await pool.accept(raw);
    const viaInline = await inline.accept(raw);
    expect(viaPool).toEqual(viaInline);
    expect(viaPool.query.number).toBe('1330');
    expect(viaPool.messageXml).toContain('datenabruf.personensuche.suchanfrage.1330');
  });

  it('hands refusals back as QueryRefused with their RTS code and the sender', async () => {
    const unsigned = Buffer.from(`<soap:Envelope xmlns:soap="${SOAP11}"><soap:Body>${fixture}</soap:Body></soap:Envelope>`);
    const refused = await pool.accept(unsigned).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(QueryRefused);
    const r = refused as QueryRefused;
    expect(r.rejection.code).toBe('T010');
    expect(r.version).toBe('1.1');
    expect(r.info.autor?.kennung).toMatch(/^dbs:/);
  });

  it('keeps one replay window for all workers (S100 on the second delivery)', async () => {
    const raw = signedQuery(pki);
    const results = await Promise.allSettled([pool.accept(raw), pool.accept(raw), pool.accept(raw)]);
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const codes = results.flatMap((r) => r.status === 'rejected' ? [(r.reason as QueryRefused).rejection.code] : []);
    expect(accepted).toHaveLength(1);
    expect(codes).toEqual(['S100', 'S100']);
  });

  it('refuses as the receiver (S999) when the replay store cannot decide', async () => {
    const broken: ReplayGuard = { seen: () => Promise.reject(new ReplayGuardUnavailableError('down')) };
    const brokenPool = new WorkerPoolMessageWork(config, broken, 1);
    try {
      const e = await brokenPool.accept(signedQuery(pki)).then(() => undefined, (err: unknown) => err) as QueryRefused;
      expect(e.rejection.code).toBe('S999');
      expect(e.rejection.side).toBe('receiver');
    } finally {
      await brokenPool.close();
    }
  });

  it('sheds new messages with a receiver-side S999 while the queue is full, and serves again after', async () => {
    const small = { ...config, processing: { ...config.processing, maxQueuedPerThread: 1 } };
    const busy = new WorkerPoolMessageWork(small, new InMemoryReplayGuard(), 1);
    try {
      await busy.ready();
      const burst = Array.from({ length: 6 }, () => busy.accept(signedQuery(pki)).then(() => 'ok', (err: unknown) => err));
      const results = await Promise.all(burst);
      const shed = results.filter((r) => r instanceof WorkersOverloadedError);
      expect(results.filter((r) => r === 'ok').length).toBeGreaterThanOrEqual(1);
      expect(shed.length).toBeGreaterThanOrEqual(1);
      expect(shed[0]?.rejection.code).toBe('S999');
      expect(shed[0]?.rejection.side).toBe('receiver');
      expect(shed[0]?.rejection.detail).toMatch(/überlastet/);
      await expect(busy.accept(signedQuery(pki))).resolves.toBeDefined();
    } finally {
      await busy.close();
    }
  });

  it('replaces a worker whose memory grew past the limit, between tasks, without losing one', async () => {
    // One thread; the limit well above what a worker needs for small queries (75–111 MiB measured, Node 24 under load).
    const limited: GatewayConfig = {
      ...config,
      http: { ...config.http, bodyLimitBytes: 64 * 1024 * 1024 },
      processing: { ...config.processing, recycleWorkerAboveMb: 160 },
      limits: { ...config.limits, request: { maxElements: 800_000, maxAttributes: 1_600_000, maxNamespaceDeclarations: 800_000 } },
    };
    const recycled: { thread: number; mb: number; why: string }[] = [];
    const one = new WorkerPoolMessageWork(limited, new InMemoryReplayGuard(), 1, undefined, (thread, mb, why) => recycled.push({ thread, mb, why }));
    try {
      await one.ready();
      await one.accept(signedQuery(pki));
      expect(recycled).toEqual([]);
      // A 30 MB message grows libxml2's WASM memory, which never shrinks: past the limit.
      const [large, small] = await Promise.all([one.accept(signedQuery(pki, padding().repeat(6))), one.accept(signedQuery(pki))]);
      expect(large.query.number).toBe('1330');
      expect(small.query.number).toBe('1330');
      for (let i = 0; i < 50 && recycled.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(recycled).toHaveLength(1);
      expect(recycled[0]?.why).toBe('limit');
      expect(recycled[0]?.mb).toBeGreaterThan(160);
      // The replacement takes the next tasks; the old thread is gone.
      await expect(one.accept(signedQuery(pki))).resolves.toBeDefined();
      await expect(one.sign(`<soap:Envelope xmlns:soap="${SOAP11}"><soap:Body>${withFreshUuid(fixture).xml}</soap:Body></soap:Envelope>`)).resolves.toContain('ds:SignatureValue');
      expect(recycled).toHaveLength(1);
    } finally {
      await one.close();
    }
  });

  it('signs on a worker what the main thread can verify', async () => {
    const env = `<soap:Envelope xmlns:soap="${SOAP11}"><soap:Body>${withFreshUuid(fixture).xml}</soap:Body></soap:Envelope>`;
    const signed = await pool.sign(env);
    expect(signed).toContain('wsse:Security');
    expect(signed).toContain('ds:SignatureValue');
  });

  it('serves small queries while a 5 MB message occupies one worker', async () => {
    const large = signedQuery(pki, padding());
    const order: string[] = [];
    const big = pool.accept(large).then(() => order.push('large'));
    // Give the large message its worker first.
    await new Promise((r) => setTimeout(r, 20));
    const small = Promise.all(Array.from({ length: 5 }, () => pool.accept(signedQuery(pki)))).then(() => order.push('small'));
    await Promise.all([big, small]);
    expect(order).toEqual(['small', 'large']);
  });
});
