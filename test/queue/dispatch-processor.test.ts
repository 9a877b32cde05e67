import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TechnicalFailureError } from '../../src/errors.js';
import type { DispatchJob } from '../../src/queue/dispatch-job.js';
import { DispatchProcessor } from '../../src/queue/dispatch-processor.js';
import { GatewayKeys } from '../../src/queue/gateway-keys.js';
import { PayloadSealer } from '../../src/queue/payload-sealer.js';
import { ReplyPublisher } from '../../src/queue/reply-publisher.js';
import { decodeOutcome, sealJob, type QueuedJobData } from '../../src/queue/wire-format.js';
import { deletePrefix, jobFor, REDIS_URL, replyFor, uniquePrefix } from './support.js';

const KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';

/** The worker side on its own, against a real Redis, with hand-made BullMQ job objects. */
describe('DispatchProcessor', () => {
  const prefix = uniquePrefix();
  const keys = new GatewayKeys(prefix);
  const redis = new Redis(REDIS_URL);
  const sub = new Redis(REDIS_URL);
  const sealer = new PayloadSealer(KEY);
  const publisher = new ReplyPublisher(redis, keys);
  afterAll(async () => {
    await deletePrefix(prefix);
    redis.disconnect();
    sub.disconnect();
  });

  const bullJob = (id: string, job: DispatchJob, attemptsMade = 0): Job<QueuedJobData> =>
    ({ id, data: sealJob(sealer, id, job, 'gw-test'), attemptsMade }) as unknown as Job<QueuedJobData>;

  async function frames(run: () => Promise<unknown>): Promise<Buffer[]> {
    const got: Buffer[] = [];
    const on = (_c: Buffer, m: Buffer): void => { got.push(m); };
    sub.on('messageBuffer', on);
    await sub.subscribe(keys.replyChannel('gw-test'));
    try {
      await run().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      sub.off('messageBuffer', on);
      await sub.unsubscribe(keys.replyChannel('gw-test'));
    }
    return got;
  }

  it('publishes the reply, marks the job answered without content, returns null', async () => {
    const p = new DispatchProcessor(async (j) => replyFor(j), sealer, publisher);
    let result: unknown = 'unset';
    const got = await frames(async () => { result = await p.process(bullJob('job-1', jobFor('land:01', 1))); });
    expect(result).toBeNull();
    expect(got).toHaveLength(1);
    expect(decodeOutcome(sealer, got[0]!).outcome).toMatchObject({ reply: { status: 200 } });
    expect(await redis.get(keys.answeredKey('job-1'))).toBe('1');
    const ttl = await redis.pttl(keys.answeredKey('job-1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000 + 5_000);
  });

  it('does not send again a job whose register already answered (retried or stall-recovered)', async () => {
    let calls = 0;
    const p = new DispatchProcessor(async (j) => { calls += 1; return replyFor(j); }, sealer, publisher);
    const job = bullJob('job-2', jobFor('land:01', 2));
    await p.process(job);
    const again = await frames(() => p.process(job));
    expect(calls).toBe(1);
    expect(again).toHaveLength(0); // the caller already has its reply; nothing more is sent
  });

  it('does not send a job whose deadline has passed', async () => {
    let calls = 0;
    const p = new DispatchProcessor(async (j) => { calls += 1; return replyFor(j); }, sealer, publisher);
    expect(await p.process(bullJob('job-3', { ...jobFor('land:01', 3), deadline: Date.now() - 1 }))).toBeNull();
    expect(calls).toBe(0);
  });

  it('reports a transient failure to the caller at once and stops BullMQ retrying (retries are new messages)', async () => {
    let calls = 0;
    const p = new DispatchProcessor(async () => { calls += 1; throw new TechnicalFailureError('unreachable'); }, sealer, publisher);
    let thrown: unknown;
    const got = await frames(async () => { try { await p.process(bullJob('job-5', jobFor('land:01', 5))); } catch (e) { thrown = e; } });
    expect(got.map((f) => decodeOutcome(sealer, f).outcome)).toEqual([{ failure: 'unreachable' }]);
    expect((thrown as Error).name).toBe('UnrecoverableError');
    expect((thrown as Error).message).toBe('unreachable');
    expect(calls).toBe(1);
  });

  it('never sends the same signed message twice: a job taken over after a crash is reported interrupted', async () => {
    let calls = 0;
    const p = new DispatchProcessor(async (j) => { calls += 1; return replyFor(j); }, sealer, publisher);
    let thrown: unknown;
    const taken = { ...bullJob('job-6', jobFor('land:01', 6)), attemptsStarted: 2 } as Job<QueuedJobData>;
    const got = await frames(async () => { try { await p.process(taken); } catch (e) { thrown = e; } });
    expect(got.map((f) => decodeOutcome(sealer, f).outcome)).toEqual([{ failure: 'interrupted' }]);
    expect((thrown as Error).message).toBe('interrupted');
    expect(calls).toBe(0);
  });

  it('refuses a job sealed with another key without calling the handler', async () => {
    let calls = 0;
    const p = new DispatchProcessor(async (j) => { calls += 1; return replyFor(j); }, sealer, publisher);
    const foreign = new PayloadSealer();
    const job = { id: 'job-7', data: sealJob(foreign, 'job-7', jobFor('land:01', 7), 'gw-test'), attemptsMade: 0 } as unknown as Job<QueuedJobData>;
    let thrown: unknown;
    const got = await frames(async () => { try { await p.process(job); } catch (e) { thrown = e; } });
    expect(calls).toBe(0);
    expect(got.map((f) => decodeOutcome(sealer, f).outcome)).toEqual([{ failure: 'internal' }]);
    expect((thrown as Error).name).toBe('UnrecoverableError');
  });

  it('maps an unexpected handler error to "internal", never to its message', async () => {
    const p = new DispatchProcessor(async () => { throw new Error('Erika Mustermann, geb. 1964'); }, sealer, publisher);
    let thrown: unknown;
    const got = await frames(async () => { try { await p.process(bullJob('job-6', jobFor('land:01', 6))); } catch (e) { thrown = e; } });
    expect(got.map((f) => decodeOutcome(sealer, f).outcome)).toEqual([{ failure: 'internal' }]);
    expect((thrown as Error).message).toBe('internal');
  });
});
