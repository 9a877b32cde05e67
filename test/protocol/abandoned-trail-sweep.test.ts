import { describe, expect, it } from 'vitest';
import { startAbandonedTrailSweep } from '../../src/protocol/abandoned-trail-sweep.js';
import type { ProtocolStore } from '../../src/protocol/protocol-store.js';

describe('the abandoned-trail sweep', () => {
  it('at start closes what is older than the deadline plus a minute, within the lookback, and logs the count', async () => {
    const calls: [Date, Date][] = [];
    const logged: unknown[] = [];
    const store = { closeAbandoned: async (since: Date, before: Date) => { calls.push([since, before]); return 3; } } as unknown as ProtocolStore;
    const now = new Date('2026-12-03T12:00:00.000Z');
    const sweep = startAbandonedTrailSweep(store, {
      deadlineMs: 30_000, lookbackMs: 86_400_000, clock: () => now,
      log: { info: (o: unknown) => logged.push(o), error: () => undefined } as never,
    });
    await sweep.done;
    sweep.stop();
    expect(calls).toEqual([[new Date('2026-12-02T12:00:00.000Z'), new Date('2026-12-03T11:58:30.000Z')]]);
    expect(logged).toEqual([{ closed: 3 }]);
  });

  it('a failing store is logged by error class, and the sweep goes on', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const store = { closeAbandoned: async () => { n++; throw new TypeError('connection terminated: secret detail'); } } as unknown as ProtocolStore;
    const sweep = startAbandonedTrailSweep(store, {
      deadlineMs: 1_000, intervalMs: 20, log: { info: () => undefined, error: (o: unknown) => errors.push(o) } as never,
    });
    await sweep.done;
    await new Promise((r) => setTimeout(r, 120));
    sweep.stop();
    expect(n).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toEqual({ err: 'TypeError' });
  });
});
