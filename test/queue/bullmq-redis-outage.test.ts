import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqDispatchQueue } from '../../src/queue/bullmq-dispatch-queue.js';
import type { DispatchJob } from '../../src/queue/dispatch-job.js';
import { RedisProcess } from './redis-process.js';
import { bodyOf, failureOf, jobFor, replyFor, sleep, uniquePrefix } from './support.js';

const KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';

async function until(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < withinMs) {
    if (await check()) return Date.now() - t0;
    await sleep(50);
  }
  throw new Error('condition not reached in time');
}

/** A Redis of the test's own is killed and restarted under a running queue. */
describe('BullmqDispatchQueue through a Redis restart', () => {
  let redis: RedisProcess;
  let q: BullmqDispatchQueue;
  let slowMs = 0;
  let started = 0;

  beforeAll(async () => {
    redis = await RedisProcess.start();
    q = new BullmqDispatchQueue(redis.url, { prefix: uniquePrefix(), encryptionKey: KEY });
    q.process(async (job: DispatchJob) => {
      started += 1;
      await sleep(slowMs);
      return replyFor(job);
    }, () => 4);
  });
  afterAll(async () => {
    await q?.close({ force: true });
    await redis?.kill();
  });

  it('works, fails cleanly while Redis is down, and recovers by itself', async () => {
    expect(bodyOf(await q.dispatch(jobFor('land:08', 1)))).toBe('answer to V-1');
    expect(await q.ready()).toBe(true);

    // A job in flight when Redis goes away: it ends by its deadline, with a technical failure.
    slowMs = 800;
    const before = started;
    const t0 = Date.now();
    const inFlight = failureOf(q.dispatch(jobFor('land:08', 2, 2_000)));
    await until(async () => started > before, 2_000);
    await redis.kill();
    expect(['timeout', 'internal']).toContain(await inFlight);
    expect(Date.now() - t0).toBeLessThan(2_300);

    const notReadyAfter = await until(async () => !(await q.ready()), 2_000);
    // New dispatches during the outage fail fast instead of waiting for their deadline.
    const t1 = Date.now();
    expect(await failureOf(q.dispatch(jobFor('land:08', 3, 5_000)))).toBe('internal');
    expect(Date.now() - t1).toBeLessThan(200);

    slowMs = 0;
    await redis.start();
    const readyAfter = await until(() => q.ready(), 10_000);
    const t2 = Date.now();
    // The workers reconnect on their own (their blocking connection may need a moment).
    expect(bodyOf(await q.dispatch(jobFor('land:08', 4, 10_000)))).toBe('answer to V-4');
    console.error(`[measure] not ready ${notReadyAfter} ms after the kill; ready ${readyAfter} ms after restart; first answer ${Date.now() - t2} ms later`);
  }, 40_000);
});
