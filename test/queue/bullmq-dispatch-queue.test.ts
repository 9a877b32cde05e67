import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BullmqDispatchQueue, type BullmqDispatchQueueOptions } from '../../src/queue/bullmq-dispatch-queue.js';
import type { DispatchJob } from '../../src/queue/dispatch-job.js';
import { bodyOf, deletePrefix, failureOf, jobFor, keysOf, REDIS_URL, replyFor, sleep, uniquePrefix, untilAborted } from './support.js';

const redis = new Redis(REDIS_URL);
afterAll(() => { redis.disconnect(); });

const KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';

/** Redis client names under a prefix: ours are `<prefix>:gw:<instance>:…`, BullMQ's `<prefix>:<queue>:…`. */
async function clientsOf(prefix: string): Promise<string[]> {
  const list = await redis.client('LIST') as string;
  return list.split('\n').map((l) => /name=(\S*)/.exec(l)?.[1] ?? '').filter((n) => n.startsWith(`${prefix}:`));
}

/** Several "gateway instances" on one Redis prefix, closed and cleaned up after each test. */
function cluster() {
  const prefix = uniquePrefix();
  const instances: BullmqDispatchQueue[] = [];
  return {
    prefix,
    instance(id: string, opts: BullmqDispatchQueueOptions = {}): BullmqDispatchQueue {
      const q = new BullmqDispatchQueue(REDIS_URL, { prefix, instanceId: id, encryptionKey: KEY, ...opts });
      instances.push(q);
      return q;
    },
    async cleanup(): Promise<void> {
      await Promise.allSettled(instances.map((q) => q.close({ force: true })));
      await deletePrefix(prefix);
    },
  };
}

describe('BullmqDispatchQueue across instances', () => {
  let c: ReturnType<typeof cluster>;
  afterEach(async () => { await c.cleanup(); });

  it('dispatch on A, worker only on B (already running): the reply arrives at A', async () => {
    c = cluster();
    const a = c.instance('gw-a');
    const b = c.instance('gw-b');
    const ranOn: string[] = [];
    b.process(async (job) => { ranOn.push('gw-b'); return replyFor(job); }, () => 2);
    await sleep(100); // B subscribes to target announcements
    const reply = await a.dispatch(jobFor('land:09', 1));
    expect(bodyOf(reply)).toBe('answer to V-1');
    expect(ranOn).toEqual(['gw-b']);
  });

  it('a worker started later finds targets dispatched to before it started', async () => {
    c = cluster();
    const a = c.instance('gw-a');
    const pending = a.dispatch(jobFor('land:14', 2, 8_000));
    await sleep(300);
    const b = c.instance('gw-b');
    b.process(async (job) => replyFor(job), () => 1);
    expect(bodyOf(await pending)).toBe('answer to V-2');
  });

  it('a worker killed mid-job: another instance takes the stalled job over and reports it interrupted, never resending it', async () => {
    c = cluster();
    const fast = { lockDurationMs: 1_000, stalledIntervalMs: 300 };
    const a = c.instance('gw-a');
    const crashing = c.instance('gw-crash', fast);
    let started = false;
    crashing.process((_job, signal) => { started = true; return untilAborted(signal); }, () => 1);
    const t0 = Date.now();
    const pending = a.dispatch(jobFor('land:06', 3, 10_000));
    while (!started) await sleep(10);
    await crashing.close({ force: true }); // no lock renewal, no completion: like a killed process
    const calls: string[] = [];
    const b = c.instance('gw-b', fast);
    b.process(async (job) => { calls.push(job.vorgangsnummer); return replyFor(job); }, () => 1);
    // The killed run may have sent the signed message; the same bytes again would be a replay.
    // The caller learns it in time and sends a new message (the pipeline's retry).
    expect(await failureOf(pending)).toBe('interrupted');
    expect(calls).toEqual([]);
    console.error(`[measure] stalled job taken over and reported after ${Date.now() - t0} ms (lock 1 s, stalled check 0.3 s)`);
  });

  it('a worker killed mid-job with no other worker: the caller gets a timeout at its deadline', async () => {
    c = cluster();
    // The lock outlives the deadline, so the job is still locked when the caller gives up.
    const a = c.instance('gw-a', { lockDurationMs: 2_000 });
    const crashing = c.instance('gw-crash', { lockDurationMs: 2_000, stalledIntervalMs: 300 });
    let started = false;
    crashing.process((_job, signal) => { started = true; return untilAborted(signal); }, () => 1);
    const t0 = Date.now();
    const pending = a.dispatch(jobFor('land:06', 4, 1_500));
    while (!started) await sleep(10);
    await crashing.close({ force: true });
    expect(await failureOf(pending)).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(1_700);
    // With no worker left to recover it, the caller removes the job once its lock has expired.
    const jobHashes = async () => (await keysOf(redis, c.prefix)).filter((k) => /:[0-9a-f]{8}-[0-9a-f-]{27}$/.test(k) && !k.includes(':gw:'));
    expect(await jobHashes()).toHaveLength(1);
    await sleep(2_000 + 500 + 300);
    expect(await jobHashes()).toEqual([]);
  });

  it('never retries once the register answered, even with an error status', async () => {
    c = cluster();
    const q = c.instance('gw-a');
    let calls = 0;
    q.process(async () => {
      calls += 1;
      return { status: 500, contentType: 'application/soap+xml', body: Buffer.from('<Fault/>') };
    }, () => 1);
    const reply = await q.dispatch(jobFor('land:11', 1));
    expect(reply.status).toBe(500);
    await sleep(200);
    expect(calls).toBe(1);
  });

  it('close() withdraws dispatches still waiting in the queue, finishes running ones', async () => {
    c = cluster();
    const q = c.instance('gw-a');
    let started = 0;
    q.process(async (job) => { started += 1; await sleep(300); return replyFor(job); }, () => 1);
    const running = q.dispatch(jobFor('land:13', 1));
    while (started < 1) await sleep(5);
    // commands, workers, subscriber, and the worker's blocking connection
    expect((await clientsOf(c.prefix)).length).toBeGreaterThanOrEqual(4);
    const queued = [2, 3].map((n) => failureOf(q.dispatch(jobFor('land:13', n))));
    await sleep(100);
    await q.close();
    expect(bodyOf(await running)).toBe('answer to V-1');
    expect(await Promise.all(queued)).toEqual(['internal', 'internal']);
    expect(started).toBe(1);
    // Every connection of the instance is gone (BullMQ's blocking ones included).
    await sleep(100);
    expect(await clientsOf(c.prefix)).toEqual([]);
  });

  it('applies a per-target rate limit', async () => {
    c = cluster();
    const q = c.instance('gw-a', { rateLimitOf: (t) => (t === 'land:15' ? { max: 3, durationMs: 500 } : undefined) });
    q.process(async (job) => replyFor(job), () => 10);
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 9 }, (_, n) => q.dispatch(jobFor('land:15', n))));
    const limited = Date.now() - t0;
    const t1 = Date.now();
    await Promise.all(Array.from({ length: 9 }, (_, n) => q.dispatch(jobFor('land:16', n))));
    const free = Date.now() - t1;
    expect(limited).toBeGreaterThanOrEqual(950); // 3 windows of 500 ms: at least two full waits
    expect(free).toBeLessThan(500);
  });
});

describe('BullmqDispatchQueue concurrency and size', () => {
  let c: ReturnType<typeof cluster>;
  afterEach(async () => { await c.cleanup(); });

  async function peakOver(scope: 'instance' | 'cluster'): Promise<number> {
    c = cluster();
    let running = 0;
    let peak = 0;
    const handler = async (job: DispatchJob) => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(40);
      running -= 1;
      return replyFor(job);
    };
    const a = c.instance('gw-a', { concurrencyScope: scope, targets: ['land:03'] });
    const b = c.instance('gw-b', { concurrencyScope: scope, targets: ['land:03'] });
    a.process(handler, () => 2);
    b.process(handler, () => 2);
    await sleep(200);
    await Promise.all(Array.from({ length: 24 }, (_, n) => (n % 2 ? a : b).dispatch(jobFor('land:03', n, 10_000))));
    return peak;
  }

  it('per instance by default: two instances with concurrency 2 run up to 4 at once', async () => {
    expect(await peakOver('instance')).toBe(4);
  });

  it('cluster-wide on request: two instances with concurrency 2 run at most 2 at once', async () => {
    expect(await peakOver('cluster')).toBe(2);
  });

  it('adds little latency per dispatch (measured, across two instances)', async () => {
    c = cluster();
    const a = c.instance('gw-a');
    const b = c.instance('gw-b', { targets: ['land:05'] });
    b.process(async (job) => replyFor(job), () => 4);
    await sleep(100);
    await a.dispatch(jobFor('land:05', 0)); // warm-up: queue creation, subscriptions
    const took: number[] = [];
    for (let n = 1; n <= 200; n++) {
      const t0 = performance.now();
      await a.dispatch(jobFor('land:05', n));
      took.push(performance.now() - t0);
    }
    took.sort((x, y) => x - y);
    const p50 = took[100] ?? 0;
    const p99 = took[198] ?? 0;
    console.error(`[measure] sequential round trip A→B→A: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    expect(p50).toBeLessThan(50);
  });

  it('carries a 12 MB answer between instances intact', async () => {
    c = cluster();
    const a = c.instance('gw-a');
    const b = c.instance('gw-b', { targets: ['land:04'] });
    const big = Buffer.alloc(12 * 1024 * 1024, 0x41);
    big.write('<antwort>', 0);
    b.process(async () => ({ status: 200, contentType: 'application/soap+xml', body: big }), () => 1);
    await sleep(100);
    const t0 = Date.now();
    const reply = await a.dispatch(jobFor('land:04', 1, 10_000));
    console.error(`[measure] 12 MB answer across instances in ${Date.now() - t0} ms`);
    expect(reply.body.equals(big)).toBe(true);
  });
});

describe('BullmqDispatchQueue and an unreachable Redis', () => {
  it('ready() is false and dispatch ends with a technical failure by its deadline', async () => {
    const q = new BullmqDispatchQueue('redis://127.0.0.1:1', { prefix: uniquePrefix(), encryptionKey: KEY });
    try {
      q.process(async (job: DispatchJob) => replyFor(job), () => 1);
      expect(await q.ready()).toBe(false);
      const t0 = Date.now();
      const failure = await failureOf(q.dispatch(jobFor('land:01', 1, 500)));
      expect(['timeout', 'internal']).toContain(failure);
      expect(Date.now() - t0).toBeLessThan(700);
    } finally {
      const t0 = Date.now();
      await q.close();
      expect(Date.now() - t0).toBeLessThan(2_000);
    }
  });
});
