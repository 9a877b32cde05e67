import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TechnicalFailureError } from '../../src/errors.js';
import { BullmqDispatchQueue } from '../../src/queue/bullmq-dispatch-queue.js';
import type { DispatchJob } from '../../src/queue/dispatch-job.js';
import { dumpPrefix, streamEntries } from './redis-dump.js';
import { bodyOf, deletePrefix, REDIS_URL, sleep, uniquePrefix } from './support.js';

const KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const TARGETS = ['land:01', 'land:05', 'land:09', 'mirror'];
const RUN = 2_000;

/**
 * PortalVO § 4 — nothing of an answer is kept, and the query does not outlive its job: after a
 * run of dispatches whose queries and answers carry markers, no Redis key of the prefix holds
 * either marker, in any data type, and only bookkeeping keys remain.
 */
describe('BullmqDispatchQueue keeps nothing of queries or answers in Redis', () => {
  const prefix = uniquePrefix();
  const redis = new Redis(REDIS_URL);
  let a: BullmqDispatchQueue;
  let b: BullmqDispatchQueue;

  beforeAll(() => {
    a = new BullmqDispatchQueue(REDIS_URL, { prefix, instanceId: 'gw-a', encryptionKey: KEY });
    b = new BullmqDispatchQueue(REDIS_URL, { prefix, instanceId: 'gw-b', encryptionKey: KEY });
  });
  afterAll(async () => {
    await Promise.allSettled([a.close(), b.close()]);
    await deletePrefix(prefix);
    redis.disconnect();
  });

  it(`after ${RUN} dispatches (with retries and failures) no marker is found in any key`, async () => {
    const firstAttempt = new Set<string>();
    let gate: Promise<void> | undefined;
    const handler = async (job: DispatchJob): Promise<{ status: number; contentType: string; body: Buffer }> => {
      await gate;
      const n = Number(job.vorgangsnummer.slice(2));
      // Every 10th query fails once (retried as a new job), every 97th fails for good (the failed path).
      if (n % 10 === 0 && !firstAttempt.has(job.vorgangsnummer)) {
        firstAttempt.add(job.vorgangsnummer);
        throw new TechnicalFailureError('unreachable');
      }
      if (n % 97 === 0) throw new TechnicalFailureError('tooLarge');
      return { status: 200, contentType: 'application/soap+xml', body: Buffer.from(`<antwort>PERSONENDATEN-${n}</antwort>`) };
    };
    // Both instances work, so replies cross between them.
    a.process(handler, () => 25);
    b.process(handler, () => 25);

    const job = (n: number): DispatchJob => ({
      vorgangsnummer: `V-${n}`,
      target: TARGETS[n % TARGETS.length] ?? 'mirror',
      url: 'http://register.invalid/',
      soapVersion: '1.2',
      action: 'urn:xmeld-gateway:1:personensuche',
      envelope: `<anfrage>MELDEDATEN-${n}</anfrage>`,
      deadline: Date.now() + 20_000,
    });

    // While jobs wait in Redis, their queries are sealed: hold the workers and look.
    let open!: () => void;
    gate = new Promise((r) => { open = r; });
    const held = Array.from({ length: 50 }, (_, n) => (n % 2 === 0 ? a : b).dispatch(job(RUN + n + 1)));
    await sleep(300);
    const whileWaiting = await dumpPrefix(redis, prefix);
    expect(whileWaiting.some((k) => k.type === 'hash' && k.texts.includes('data'))).toBe(true);
    expect(whileWaiting.flatMap((k) => k.texts).filter((t) => t.includes('MELDEDATEN'))).toEqual([]);
    open();
    gate = undefined;
    await Promise.allSettled(held);

    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: RUN }, (_, i) => (i % 2 === 0 ? a : b).dispatch(job(i + 1))));
    const seconds = (Date.now() - started) / 1_000;
    console.error(`[measure] ${RUN} dispatches over 2 instances × ${TARGETS.length} targets: ${seconds.toFixed(2)} s (${Math.round(RUN / seconds)}/s)`);

    const failureOf = (r: PromiseSettledResult<unknown>): unknown => r.status === 'rejected' && r.reason instanceof TechnicalFailureError && r.reason.failure;
    results.forEach((r, i) => {
      const n = i + 1;
      if (n % 10 === 0) expect(failureOf(r)).toBe('unreachable');
      else if (n % 97 === 0) expect(failureOf(r)).toBe('tooLarge');
      else expect(r.status === 'fulfilled' && bodyOf(r.value)).toBe(`<antwort>PERSONENDATEN-${n}</antwort>`);
    });
    // The retries, as the pipeline makes them: a new job for each query that failed once.
    const retried = await Promise.allSettled(Array.from({ length: Math.floor(RUN / 10) }, (_, i) => (i % 2 === 0 ? b : a).dispatch(job((i + 1) * 10))));
    retried.forEach((r, i) => {
      const n = (i + 1) * 10;
      if (n % 97 === 0) expect(failureOf(r)).toBe('tooLarge');
      else expect(r.status === 'fulfilled' && bodyOf(r.value)).toBe(`<antwort>PERSONENDATEN-${n}</antwort>`);
    });

    // BullMQ removes finished jobs lazily on the next finish; let the last ones settle.
    await sleep(500);
    const dump = await dumpPrefix(redis, prefix);
    const texts = dump.flatMap((k) => [k.key, ...k.texts]);
    expect(texts.filter((t) => t.includes('PERSONENDATEN'))).toEqual([]);
    expect(texts.filter((t) => t.includes('MELDEDATEN'))).toEqual([]);
    expect(texts.filter((t) => t.includes('V-'))).toEqual([]);

    // Only bookkeeping is left: queue meta, id counters, event streams, the target directory and
    // the content-free "answered" markers. No job hash, no job in any state list.
    const kindOf = (key: string): string => {
      const rest = key.slice(prefix.length + 1);
      if (rest.startsWith('gw:answered:')) return 'gw:answered:*';
      if (rest.startsWith('gw:')) return rest;
      return rest.replace(/^[^:]+:/, '<queue>:');
    };
    const kinds = new Set(dump.map((k) => kindOf(k.key)));
    console.error(`[measure] keys left under the prefix: ${dump.length} (${[...kinds].sort().join(', ')})`);
    for (const kind of kinds) expect(['<queue>:meta', '<queue>:events', '<queue>:id', '<queue>:stalled-check', 'gw:targets', 'gw:answered:*']).toContain(kind);
    for (const k of dump.filter((d) => kindOf(d.key) === 'gw:answered:*')) {
      expect(k.texts).toEqual(['1']);
      expect(await redis.pttl(k.key)).toBeGreaterThan(0);
    }

    // The events streams: job ids and states only; a return value, if any, is null.
    for (const k of dump.filter((d) => d.type === 'stream')) {
      const entries = await streamEntries(redis, k.key);
      expect(entries.length).toBeLessThan(400); // maxLen 100, trimmed approximately
      for (const e of entries) {
        for (const field of Object.keys(e)) expect(['event', 'jobId', 'prev', 'returnvalue', 'failedReason', 'attemptsMade', 'delay', 'count']).toContain(field);
        if ('returnvalue' in e) expect(e.returnvalue).toBe('null');
        if ('failedReason' in e) expect(['unreachable', 'tooLarge']).toContain(e.failedReason);
      }
    }
  }, 120_000);

  it('the scan itself finds a marker in every data type (so an empty finding means something)', async () => {
    const p2 = uniquePrefix();
    try {
      await redis.set(`${p2}:s`, 'x PERSONENDATEN-1');
      await redis.hset(`${p2}:h`, 'f', 'PERSONENDATEN-2');
      await redis.rpush(`${p2}:l`, 'PERSONENDATEN-3');
      await redis.sadd(`${p2}:set`, 'PERSONENDATEN-4');
      await redis.zadd(`${p2}:z`, 1, 'PERSONENDATEN-5');
      await redis.xadd(`${p2}:x`, '*', 'returnvalue', '{"a":"PERSONENDATEN-6"}');
      const found = (await dumpPrefix(redis, p2)).flatMap((k) => k.texts).filter((t) => t.includes('PERSONENDATEN')).length;
      expect(found).toBe(6);
    } finally {
      await deletePrefix(p2);
    }
  });

  it('instances with different queue keys form separate pools: each works only its own jobs', async () => {
    const p2 = uniquePrefix();
    const x = new BullmqDispatchQueue(REDIS_URL, { prefix: p2, instanceId: 'gw-x' }); // random key
    const y = new BullmqDispatchQueue(REDIS_URL, { prefix: p2, instanceId: 'gw-y' }); // another random key
    const ranOn = new Map<string, string>();
    const handler = (who: string) => async (job: DispatchJob) => {
      ranOn.set(job.vorgangsnummer, who);
      return { status: 200, contentType: 'text/xml', body: Buffer.from(job.vorgangsnummer) };
    };
    x.process(handler('gw-x'), () => 2);
    y.process(handler('gw-y'), () => 2);
    try {
      const job = (n: number): DispatchJob => ({ vorgangsnummer: `V-${n}`, target: 'land:02', url: 'http://x.invalid/', soapVersion: '1.1', action: 'urn:xmeld-gateway:1:personensuche', envelope: '<e/>', deadline: Date.now() + 5_000 });
      const replies = await Promise.all(Array.from({ length: 40 }, (_, n) => (n % 2 ? y : x).dispatch(job(n))));
      expect(replies.map(bodyOf)).toEqual(Array.from({ length: 40 }, (_, n) => `V-${n}`));
      for (let n = 0; n < 40; n++) expect(ranOn.get(`V-${n}`)).toBe(n % 2 ? 'gw-y' : 'gw-x');
    } finally {
      await Promise.allSettled([x.close(), y.close()]);
      await deletePrefix(p2);
    }
  });
});
