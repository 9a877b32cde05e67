/**
 * Which thread a message is checked on: small ones on the event loop, large ones on the pool,
 * which starts with the first large message, takes reloads, and stops when idle.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AcceptedQuery } from '../../src/message-work/accept-query.js';
import type { AnswerContext, MessageWork, NormalizedAnswer } from '../../src/message-work/message-work.js';
import { SizeSplitMessageWork, type PoolWork } from '../../src/message-work/size-split-message-work.js';
import type { LiveMaterial } from '../../src/reload/live-material.js';

class FakeWork implements MessageWork {
  readonly calls: string[] = [];
  closed = false;
  reloaded: unknown[] = [];
  constructor(readonly name: string, readonly material?: unknown) {}
  accept(raw: Buffer): Promise<AcceptedQuery> {
    this.calls.push(`accept ${raw.byteLength}`);
    return Promise.resolve({ by: this.name } as unknown as AcceptedQuery);
  }
  sign(xml: string): Promise<string> {
    this.calls.push(`sign ${xml.length}`);
    return Promise.resolve(this.name);
  }
  normalize(reply: { body: Buffer }): Promise<NormalizedAnswer> {
    this.calls.push(`normalize ${reply.body.byteLength}`);
    return Promise.resolve({ outcome: { by: this.name } } as unknown as NormalizedAnswer);
  }
  ready(): Promise<void> {
    this.calls.push('ready');
    return Promise.resolve();
  }
  reload(m: LiveMaterial): Promise<void> {
    this.reloaded.push(m);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

const ctx = {} as AnswerContext;
const material = (n: number): LiveMaterial => ({ n } as unknown as LiveMaterial);

describe('size-split message work', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps small messages on the event loop and starts the pool with the first large one', async () => {
    const inline = new FakeWork('inline');
    const pools: FakeWork[] = [];
    const work = new SizeSplitMessageWork(inline, (m) => {
      const p = new FakeWork(`pool${pools.length}`, m);
      pools.push(p);
      return p as PoolWork;
    }, material(1), { aboveBytes: 1000, idleMs: 60_000 });
    await work.ready();
    expect(pools).toHaveLength(0); // nothing started for a gateway that sees no large message

    expect(await work.sign('x'.repeat(1000))).toBe('inline');
    await work.accept(Buffer.alloc(800));
    await work.normalize({ status: 200, contentType: 'text/xml', body: Buffer.alloc(1000) }, ctx);
    expect(work.poolRunning).toBe(false);
    expect(inline.calls).toEqual(['sign 1000', 'accept 800', 'normalize 1000']);

    expect(await work.accept(Buffer.alloc(1001))).toEqual({ by: 'pool0' });
    expect(await work.sign('y'.repeat(5000))).toBe('pool0');
    await work.normalize({ status: 200, contentType: 'text/xml', body: Buffer.alloc(4000) }, ctx);
    expect(pools).toHaveLength(1);
    expect(pools[0]?.material).toEqual(material(1));
    expect(pools[0]?.calls).toEqual(['accept 1001', 'sign 5000', 'normalize 4000']);
    expect(inline.calls).toHaveLength(3);
    await work.close();
    expect(inline.closed && pools[0]?.closed).toBe(true);
  });

  it('reloads the running pool, and starts a later one on the material of the last reload', async () => {
    vi.useFakeTimers();
    const pools: FakeWork[] = [];
    const work = new SizeSplitMessageWork(new FakeWork('inline'), (m) => {
      const p = new FakeWork(`pool${pools.length}`, m);
      pools.push(p);
      return p as PoolWork;
    }, material(1), { aboveBytes: 10, idleMs: 2_000 });
    await work.reload(material(2)); // no pool yet: nothing to switch
    await work.sign('large enough');
    expect(pools[0]?.material).toEqual(material(2));
    await work.reload(material(3));
    expect(pools[0]?.reloaded).toEqual([material(3)]);

    // Idle past idleMs: the pool is stopped; the next large message starts a fresh one.
    await vi.advanceTimersByTimeAsync(3_500);
    expect(pools[0]?.closed).toBe(true);
    expect(work.poolRunning).toBe(false);
    await work.sign('large enough again');
    expect(pools).toHaveLength(2);
    expect(pools[1]?.material).toEqual(material(3));
    await work.close();
  });

  it('with aboveBytes 0 runs every message on the pool, started at ready() and never stopped for idling', async () => {
    vi.useFakeTimers();
    const inline = new FakeWork('inline');
    const pools: FakeWork[] = [];
    const work = new SizeSplitMessageWork(inline, () => {
      const p = new FakeWork('pool');
      pools.push(p);
      return p as PoolWork;
    }, undefined, { aboveBytes: 0, idleMs: 1_000 });
    await work.ready();
    expect(pools[0]?.calls).toEqual(['ready']);
    await work.sign('x');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(pools[0]?.closed).toBe(false);
    expect(inline.calls).toEqual([]);
    await work.close();
  });
});
