import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommitAppender } from '../../src/protocol/group-commit-appender.js';
import { PGliteProtocolStore, IN_MEMORY } from '../../src/protocol/pglite-store.js';
import type { NewProtocolRecord } from '../../src/protocol/protocol-record.js';
import { collect, queryRecords } from './fixtures.js';

const t0 = new Date('2026-08-01T10:00:00Z');
const stores: PGliteProtocolStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('GroupCommitAppender', () => {
  it('writes concurrent calls in few transactions, each call settling after its commit', async () => {
    const store = await PGliteProtocolStore.open({ dataDir: IN_MEMORY });
    stores.push(store);
    const appender = new GroupCommitAppender(store, 100);
    const calls = Array.from({ length: 60 }, (_, i) => appender.append(queryRecords(`VG-${i}`, t0).slice(0, 2)));
    await Promise.all(calls);
    // The first call goes alone; the other 59 queue behind it in batches of at most 100 records.
    expect(appender.transactionCount).toBeLessThanOrEqual(3);
    expect(appender.transactionCount).toBeGreaterThanOrEqual(2);
    const report = await store.verify();
    expect(report.ok).toBe(true);
    expect(report.partitions[0]?.headSeq).toBe(120);
  });

  it('fails an invalid call alone and a failed transaction for all of its callers', async () => {
    const store = await PGliteProtocolStore.open({ dataDir: IN_MEMORY });
    stores.push(store);
    let failNext = false;
    const flaky = {
      append: (records: NewProtocolRecord[]) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('database down'));
        }
        return store.append(records);
      },
    };
    const appender = new GroupCommitAppender(flaky);
    const bad = { ...(queryRecords('VG-BAD', t0)[0] as NewProtocolRecord), person: {} } as unknown as NewProtocolRecord;
    const first = appender.append(queryRecords('VG-1', t0).slice(0, 1));
    const invalid = appender.append([bad]);
    const queued = [appender.append(queryRecords('VG-2', t0).slice(0, 1)), appender.append(queryRecords('VG-3', t0).slice(0, 1))];
    failNext = true; // hits the batch of VG-2 and VG-3, queued behind VG-1
    await expect(invalid).rejects.toThrow(/person/);
    await expect(first).resolves.toBeUndefined();
    const results = await Promise.allSettled(queued);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const rows = await collect(store.export({ hops: ['received'] }, { kind: 'dpo', id: 'dsb' }));
    expect(rows.map((r) => r.vorgangsnummer)).toEqual(['VG-1']);
  });

  it('a store that hangs holds no caller past its deadline; what was still queued is never written', async () => {
    const store = await PGliteProtocolStore.open({ dataDir: IN_MEMORY });
    stores.push(store);
    let release: (() => void) | undefined;
    const frozen = {
      append: async (records: NewProtocolRecord[]) => {
        if (release === undefined) await new Promise<void>((r) => { release = r; }); // the first transaction hangs
        return store.append(records);
      },
    };
    const appender = new GroupCommitAppender(frozen);
    const t = Date.now();
    const inFlight = appender.append(queryRecords('VG-1', t0).slice(0, 1), t + 150);
    const queued = appender.append(queryRecords('VG-2', t0).slice(0, 1), t + 150);
    const late = appender.append(queryRecords('VG-3', t0).slice(0, 1), t + 5_000);
    const [a, b] = await Promise.allSettled([inFlight, queued]);
    expect(a.status === 'rejected' && a.reason).toMatchObject({ name: 'ProtocolTimeoutError', written: 'unknown' });
    expect(b.status === 'rejected' && b.reason).toMatchObject({ name: 'ProtocolTimeoutError', written: 'no' });
    expect(Date.now() - t).toBeLessThan(1_000);
    release?.(); // the store recovers: the in-flight batch commits, the withdrawn call does not
    await expect(late).resolves.toBeUndefined();
    await appender.drain();
    const rows = await collect(store.export({ hops: ['received'] }, { kind: 'dpo', id: 'dsb' }));
    expect(rows.map((r) => r.vorgangsnummer)).toEqual(['VG-1', 'VG-3']);
  });
});
