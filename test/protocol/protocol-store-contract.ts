/**
 * The contract every ProtocolStore meets, run against SQLite, PGlite and PostgreSQL alike
 * (sqlite-store.test.ts, pglite-store.test.ts, postgres-store.test.ts). Tampering goes through
 * the harness's raw driver in SQL both dialects take.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SqlProtocolStore, type SqlProtocolStoreOptions } from '../../src/protocol/sql-protocol-store.js';
import type { SqlDriver } from '../../src/protocol/sql-driver.js';
import { ProtocolSql } from '../../src/protocol/sql.js';
import { earliestDeletion, latestDeletion } from '../../src/protocol/retention.js';
import type { NewProtocolRecord, ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { FIELD_LIST } from '../../src/protocol/record-fields.js';
import { collect, content, FIELD_SAMPLES, InstrumentedDriver, queryRecords, recordWithEveryField } from './fixtures.js';

export interface StoreHarness {
  /** Raw access to the database, for tampering; its dialect picks the store's SQL. */
  driver: SqlDriver;
  /** Where the tables live: a PostgreSQL schema, `main` on SQLite. */
  schema: string;
  /** How the store is opened on this database (e.g. as its only writer). */
  storeOptions?: SqlProtocolStoreOptions;
  /** Drops what the test created and closes the driver. */
  cleanup(): Promise<void>;
}

export function protocolStoreContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`ProtocolStore contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0)) await c();
    });

    async function open(options: SqlProtocolStoreOptions = {}) {
      const h = await makeHarness();
      cleanups.push(() => h.cleanup());
      const driver = new InstrumentedDriver(h.driver);
      const store = new SqlProtocolStore(driver, { ...h.storeOptions, ...options, schema: h.schema });
      await store.migrate();
      const table = new ProtocolSql(h.schema).records;
      return { store, driver, raw: h.driver, table, schema: h.schema };
    }

    const dpo = { kind: 'dpo' as const, id: 'dsb@gateway' };
    const t0 = new Date('2026-03-10T08:00:00.000Z');

    it('round-trips records with their query data and filters exports', async () => {
      const { store } = await open();
      await expect(store.ping()).resolves.toBeUndefined();
      const a = queryRecords('VG-A', t0, { target: 'land:05' });
      const b = queryRecords('VG-B', new Date(t0.getTime() + 60_000), { target: 'land:09', autorKennung: 'ags:05315000' });
      const c = queryRecords('VG-C', new Date(t0.getTime() + 120_000), { target: 'mirror' });
      await store.append([...a, ...b]); // several Vorgänge in one batch
      await store.append(c);

      const all = (await collect(store.export({ hops: ['received', 'routed', 'dispatched', 'answered', 'delivered'] }, dpo))).map(content);
      expect(all).toHaveLength(15);
      expect(all[0]).toEqual({ ...a[0], partition: 'operator' });
      expect(all.map((r) => r.vorgangsnummer)).toEqual([...Array(5).fill('VG-A'), ...Array(5).fill('VG-B'), ...Array(5).fill('VG-C')]);

      const byVorgang = await collect(store.export({ vorgangsnummer: 'VG-B' }, dpo));
      expect(byVorgang.map((r) => r.hop)).toEqual(['received', 'routed', 'dispatched', 'answered', 'delivered']);
      expect(byVorgang[3]?.outcome).toEqual({ ergebnisstatus: '01', personCount: 1 });

      const byAuthority = await collect(store.export({ autorKennung: 'ags:05315000' }, dpo));
      expect(new Set(byAuthority.map((r) => r.vorgangsnummer))).toEqual(new Set(['VG-B']));

      const byTarget = await collect(store.export({ target: 'mirror' }, dpo));
      expect(byTarget.map((r) => r.vorgangsnummer)).toEqual(['VG-C', 'VG-C', 'VG-C', 'VG-C']);

      const byTime = await collect(
        store.export({ from: new Date(t0.getTime() + 60_000), to: new Date(t0.getTime() + 120_000) }, dpo),
      );
      expect(new Set(byTime.map((r) => r.vorgangsnummer))).toEqual(new Set(['VG-B']));
      expect(byTime).toHaveLength(5);
    });

    it('keeps the release, translation and endpoint of a hop, and the chain verifies', async () => {
      const { store } = await open();
      const routed = {
        vorgangsnummer: 'VG-R', hop: 'routed' as const, at: t0, messageType: '1330' as const, target: 'land:09',
        xmeldRelease: '25.11a', translatedFrom: '26.11', endpoint: 'https://register.invalid/09', endpointSource: 'dvdv' as const,
      };
      await store.append([routed]);
      const [back] = (await collect(store.export({ vorgangsnummer: 'VG-R' }, dpo))).map(content);
      expect(back).toEqual({ ...routed, partition: 'operator' });
      expect((await store.verify()).ok).toBe(true);
    });

    it('closes trails left without delivered (and only those, only old enough) with an aborted hop', async () => {
      const { store } = await open();
      const done = queryRecords('VG-DONE', t0);                            // received … delivered
      const cut = queryRecords('VG-CUT', t0).slice(0, 3);                  // received, routed, dispatched
      const young = queryRecords('VG-YOUNG', new Date(t0.getTime() + 3_600_000)).slice(0, 2);
      await store.append([...done, ...cut, ...young]);
      expect(await store.closeAbandoned(new Date(t0.getTime() - 1), new Date(t0.getTime() + 60_000))).toBe(1);
      const trail = await collect(store.export({ vorgangsnummer: 'VG-CUT' }, dpo));
      expect(trail.map((r) => r.hop)).toEqual(['received', 'routed', 'dispatched', 'aborted']);
      const aborted = trail.at(-1);
      expect(aborted?.outcome).toEqual({ technicalFailure: 'unfinished' });
      expect(aborted?.autorKennung).toBe(cut[0]?.autorKennung);
      expect(aborted?.suchprofil).toEqual(cut[0]?.suchprofil);
      // Closed once: a second sweep finds nothing; the young trail is left to its instance.
      expect(await store.closeAbandoned(new Date(t0.getTime() - 1), new Date(t0.getTime() + 60_000))).toBe(0);
      expect((await collect(store.export({ vorgangsnummer: 'VG-YOUNG' }, dpo))).map((r) => r.hop)).toEqual(['received', 'routed']);
      expect((await store.verify()).ok).toBe(true);
    });

    it('lists the nachrichtenUUIDs received since an instant, over all partitions, each once', async () => {
      const { store } = await open();
      const since = t0;
      const uuidOf = (records: NewProtocolRecord[]) => records.map((r) => ({ ...r, nachrichtenUUID: r.nachrichtenUUID ?? `uuid-${r.hop}` }));
      await store.append([
        ...queryRecords('VG-OLD', new Date(since.getTime() - 1)),            // received 1 ms too early
        ...uuidOf(queryRecords('VG-EDGE', since)),                           // received exactly at since; every hop has a UUID
        ...queryRecords('VG-SEC', new Date(since.getTime() + 60_000), { partition: 'authority:dbs:1' }),
        // The technical record of the same message in the operator partition: listed once.
        { ...(queryRecords('VG-SEC', new Date(since.getTime() + 60_000))[0] as NewProtocolRecord) },
        { ...(queryRecords('VG-NOID', since)[0] as NewProtocolRecord), nachrichtenUUID: undefined },
      ]);
      const ids = await store.receivedMessageIds(since);
      expect([...ids].sort()).toEqual(['uuid-VG-EDGE', 'uuid-VG-SEC']);
      expect(await store.receivedMessageIds(new Date(since.getTime() + 60_001))).toEqual([]);
      expect([...(await store.receivedMessageIds(new Date(0)))].sort()).toEqual(['uuid-VG-EDGE', 'uuid-VG-OLD', 'uuid-VG-SEC']);
    });

    it('refuses answer content and unknown fields; a refused batch writes nothing', async () => {
      const { store } = await open();
      const good = queryRecords('VG-1', t0)[0] as NewProtocolRecord;
      const withPerson = { ...good, hop: 'answered', person: [{ familienname: 'Mustermann' }] } as unknown as NewProtocolRecord;
      await expect(store.append([good, withPerson])).rejects.toThrow(/person/);
      const forged = { ...good, hop: 'purged' } as NewProtocolRecord;
      await expect(store.append([forged])).rejects.toThrow(/written by the store/);
      expect(await collect(store.export({ hops: ['received', 'answered', 'purged'] }, dpo))).toEqual([]);
    });

    it('rolls a batch back whole when the transaction fails midway', async () => {
      const { store, driver } = await open();
      await store.append(queryRecords('VG-1', t0).slice(0, 2));
      // Fail after the records are inserted, when the chain head is moved: nothing may remain.
      driver.failWhen = (sql) => sql.includes('UPDATE') && sql.includes('protocol_head');
      await expect(store.append(queryRecords('VG-2', t0))).rejects.toThrow('injected failure');
      driver.failWhen = undefined;
      const rows = await collect(store.export({ hops: ['received', 'routed', 'dispatched', 'answered', 'delivered'] }, dpo));
      expect(rows.map((r) => r.vorgangsnummer)).toEqual(['VG-1', 'VG-1']);
      await store.append(queryRecords('VG-3', t0).slice(0, 1));
      const report = await store.verify();
      expect(report.ok).toBe(true);
      expect(report.partitions.find((p) => p.partition === 'operator')?.headSeq).toBe(4); // 2 + exported + 1
    });

    it('isolates an authority partition: only that authority reads it, the DPO reads the operator partition', async () => {
      const { store } = await open();
      const own = 'authority:dbs:060030020000';
      await store.append([
        ...queryRecords('VG-OP', t0),
        ...queryRecords('VG-SEC', t0, { partition: own, sicherheitsbehoerde: true, autorKennung: 'dbs:060030020000' }),
      ]);
      const authority = await collect(store.export({}, { kind: 'authority', id: 'dbs:060030020000' }));
      expect(authority).toHaveLength(5);
      expect(authority.every((r) => r.partition === own && r.vorgangsnummer === 'VG-SEC')).toBe(true);

      const other = await collect(store.export({}, { kind: 'authority', id: 'dbs:999' }));
      expect(other).toEqual([]);

      const dpoView = await collect(store.export({}, dpo));
      expect(dpoView.some((r) => r.vorgangsnummer === 'VG-SEC')).toBe(false);
      expect(dpoView.filter((r) => r.vorgangsnummer === 'VG-OP')).toHaveLength(5);
    });

    it('protocols every export (who, when, which filter) in the operator partition', async () => {
      let clock = new Date('2026-04-01T10:00:00.000Z');
      const { store } = await open({ now: () => clock });
      await store.append(queryRecords('VG-1', t0));
      await collect(store.export({ vorgangsnummer: 'VG-1', from: t0 }, { ...dpo, purpose: 'Auskunft nach Art. 15 DSGVO' }));
      clock = new Date('2026-04-01T11:00:00.000Z');
      await collect(store.export({ target: 'land:05' }, { kind: 'authority', id: 'dbs:060030020000' }));
      const exports = await collect(store.export({ hops: ['exported'] }, dpo));
      expect(exports.map((r) => r.exportInfo)).toEqual([
        {
          requester: { kind: 'dpo', id: 'dsb@gateway', purpose: 'Auskunft nach Art. 15 DSGVO' },
          partition: 'operator',
          filter: { vorgangsnummer: 'VG-1', from: t0.toISOString() },
        },
        {
          requester: { kind: 'authority', id: 'dbs:060030020000' },
          partition: 'authority:dbs:060030020000',
          filter: { target: 'land:05' },
        },
        // This very export is on record too, written before its first row was read.
        { requester: { kind: 'dpo', id: 'dsb@gateway' }, partition: 'operator', filter: { hops: ['exported'] } },
      ]);
      expect(exports.map((r) => r.at.toISOString())).toEqual([
        '2026-04-01T10:00:00.000Z',
        '2026-04-01T11:00:00.000Z',
        '2026-04-01T11:00:00.000Z',
      ]);
      expect(exports.every((r) => r.partition === 'operator')).toBe(true);
    });

    describe('verify', () => {
      async function chained() {
        const opened = await open();
        await opened.store.append([...queryRecords('VG-1', t0), ...queryRecords('VG-2', t0)]); // seq 1–10
        expect((await opened.store.verify()).ok).toBe(true);
        return opened;
      }

      it('detects a modified record', async () => {
        const { store, raw, table } = await chained();
        await raw.query(`UPDATE ${table} SET aktenzeichen = 'AZ-geändert' WHERE partition = 'operator' AND seq = 3`);
        const report = await store.verify();
        expect(report.ok).toBe(false);
        expect(report.firstBreak).toMatchObject({ partition: 'operator', seq: 3, kind: 'modified' });
      });

      it('detects a modified record whose hash was recomputed (broken link)', async () => {
        const { store, raw, table } = await chained();
        await raw.query(`UPDATE ${table} SET target = 'land:01', hash = '${'a'.repeat(64)}' WHERE partition = 'operator' AND seq = 4`);
        const report = await store.verify('operator');
        expect(report.firstBreak).toMatchObject({ seq: 4, kind: 'modified' });
      });

      it('detects a deleted record', async () => {
        const { store, raw, table } = await chained();
        await raw.query(`DELETE FROM ${table} WHERE partition = 'operator' AND seq = 6`);
        expect((await store.verify()).firstBreak).toMatchObject({ seq: 6, kind: 'deleted' });
      });

      it('detects records deleted from the end', async () => {
        const { store, raw, table } = await chained();
        await raw.query(`DELETE FROM ${table} WHERE partition = 'operator' AND seq >= 9`);
        expect((await store.verify()).firstBreak).toMatchObject({ seq: 9, kind: 'deleted' });
      });

      it('detects reordered records', async () => {
        const { store, raw, table } = await chained();
        const where = `partition = 'operator' AND seq =`;
        await raw.query(`UPDATE ${table} SET seq = -1 WHERE ${where} 2`);
        await raw.query(`UPDATE ${table} SET seq = 2 WHERE ${where} 3`);
        await raw.query(`UPDATE ${table} SET seq = 3 WHERE ${where} -1`);
        expect((await store.verify()).firstBreak).toMatchObject({ seq: 2, kind: 'reordered' });
      });

      // Every column of the field table, altered in the database behind the store's back.
      for (const f of FIELD_LIST) {
        it(`detects an altered ${f.column} column`, async () => {
          const opened = await open();
          const { store, raw, table } = opened;
          await store.append([...queryRecords('VG-1', t0), { ...recordWithEveryField(), partition: 'operator' }, ...queryRecords('VG-2', t0).slice(0, 1)]);
          expect((await store.verify()).ok).toBe(true); // seq 6 holds every field
          const altered = FIELD_SAMPLES[f.name][1];
          await raw.query(`UPDATE ${table} SET ${f.column} = $1 WHERE partition = 'operator' AND seq = 6`, [f.encoding.toParam(altered as never)]);
          const report = await store.verify();
          expect(report.ok).toBe(false);
          if (f.name !== 'partition' && f.name !== 'seq') expect(report.firstBreak).toMatchObject({ partition: 'operator', seq: 6 });
        });
      }

      it('detects a record moved into another partition', async () => {
        const { store, raw, table } = await chained();
        await store.append(queryRecords('VG-X', t0, { partition: 'authority:x' }));
        await raw.query(`UPDATE ${table} SET partition = 'authority:x', seq = 6 WHERE partition = 'operator' AND seq = 10`);
        const report = await store.verify();
        expect(report.ok).toBe(false);
        expect(report.partitions.find((p) => p.partition === 'authority:x')?.firstBreak).toMatchObject({ seq: 6, kind: 'inserted' });
        expect(report.partitions.find((p) => p.partition === 'operator')?.firstBreak?.kind).toBe('deleted');
      });
    });

    describe('purge', () => {
      // Instants in Europe/Berlin, the calendar of the retention rule.
      const jan1 = new Date('2025-01-01T00:00:00.000+01:00');
      const jun15 = new Date('2025-06-15T12:00:00.000+02:00');
      const dec31 = new Date('2025-12-31T23:59:59.999+01:00');

      async function withYear() {
        const opened = await open();
        const one = (v: string, at: Date) => ({ ...(queryRecords(v, at)[0] as NewProtocolRecord), at });
        await opened.store.append([one('VG-JAN1', jan1), one('VG-JUN15', jun15), one('VG-DEC31', dec31)]);
        return opened;
      }
      const left = async (store: SqlProtocolStore) =>
        (await collect(store.export({ hops: ['received'] }, dpo))).map((r) => r.vorgangsnummer);

      it('deletes nothing before twelve months and each record on its first allowed day', async () => {
        const { store } = await withYear();
        expect(earliestDeletion(jan1)).toEqual(new Date('2026-01-02T00:00:00.000+01:00'));
        expect(earliestDeletion(dec31)).toEqual(new Date('2027-01-01T00:00:00.000+01:00'));
        expect(latestDeletion(dec31)).toEqual(new Date('2027-01-01T00:00:00.000+01:00'));

        // Exactly twelve months after 1 January and up to the last ms of that day: kept.
        for (const now of ['2026-01-01T00:00:00.000+01:00', '2026-01-01T23:59:59.999+01:00']) {
          expect((await store.purge(new Date(now), { dryRun: false })).total).toBe(0);
        }
        expect(await left(store)).toEqual(['VG-JAN1', 'VG-JUN15', 'VG-DEC31']);

        const first = await store.purge(new Date('2026-01-02T00:00:00.000+01:00'), { dryRun: false });
        expect(first.total).toBe(1);
        expect(first.cutoff).toEqual(new Date('2025-01-02T00:00:00.000+01:00'));
        expect(await left(store)).toEqual(['VG-JUN15', 'VG-DEC31']);
        expect((await store.verify()).ok).toBe(true);

        // The last instant of the following year: 31 December is still within its twelve months.
        await store.purge(new Date('2026-12-31T23:59:59.999+01:00'), { dryRun: false });
        expect(await left(store)).toEqual(['VG-DEC31']);
        expect((await store.verify()).ok).toBe(true);

        // The end of the following calendar year: the deadline for everything made in 2025.
        await store.purge(new Date('2027-01-01T00:00:00.000+01:00'), { dryRun: false });
        expect(await left(store)).toEqual([]);
        expect((await store.verify()).ok).toBe(true);
      });

      it('records each purge in the chain so verify stays green, also after purges are purged', async () => {
        const { store } = await withYear();
        await store.purge(new Date('2026-01-02T00:00:00.000+01:00'), { dryRun: false });
        const [purged] = await collect(store.export({ hops: ['purged'] }, dpo));
        expect(purged?.purgeInfo).toMatchObject({ count: 1, fromAt: jan1.toISOString(), toAt: jan1.toISOString() });
        expect(purged?.purgeInfo?.gaps).toEqual([{ fromSeq: 1, toSeq: 1, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);

        await store.append(queryRecords('VG-2027', new Date('2027-03-01T12:00:00.000+01:00')));
        // Deletes June, December and the first purge record (made 2026-01-02): the gap grows.
        await store.purge(new Date('2027-06-01T00:00:00.000+02:00'), { dryRun: false });
        const report = await store.verify();
        expect(report.ok).toBe(true);
        const purges = await collect(store.export({ hops: ['purged'] }, dpo));
        expect(purges).toHaveLength(1);
        expect(purges[0]?.purgeInfo?.gaps.map(({ fromSeq, toSeq }) => [fromSeq, toSeq])).toEqual([[1, 4]]);
        expect(await left(store)).toEqual(['VG-2027']);
      });

      it('a purged gap without its purge record reads as deletion', async () => {
        const { store, raw, table, schema } = await withYear();
        await store.purge(new Date('2026-01-02T00:00:00.000+01:00'), { dryRun: false });
        // Hide the purge completely: drop its record and move the head back over it.
        await raw.query(`DELETE FROM ${table} WHERE hop = 'purged'`);
        await raw.query(`UPDATE ${new ProtocolSql(schema).heads} SET seq = 3, hash = (SELECT hash FROM ${table} WHERE seq = 3)`);
        const report = await store.verify();
        expect(report.firstBreak).toMatchObject({ seq: 1, kind: 'deleted' });
      });

      it('dry run lists what would go and deletes nothing', async () => {
        const { store } = await withYear();
        const plan = await store.purge(new Date('2026-12-31T00:00:00.000+01:00'), { dryRun: true });
        expect(plan).toMatchObject({ dryRun: true, total: 2 });
        expect(plan.partitions).toEqual([
          { partition: 'operator', count: 2, fromAt: jan1, toAt: jun15, ranges: [{ fromSeq: 1, toSeq: 2 }] },
        ]);
        expect(await left(store)).toEqual(['VG-JAN1', 'VG-JUN15', 'VG-DEC31']);
        expect(await collect(store.export({ hops: ['purged'] }, dpo))).toEqual([]);
      });
    });

    it('streams a large export page by page', async () => {
      const { store, driver } = await open({ exportPageSize: 500 });
      const total = 20_000;
      for (let i = 0; i < total; i += 1000) {
        const batch: NewProtocolRecord[] = [];
        for (let j = i; j < i + 1000; j++) {
          batch.push({ ...(queryRecords(`VG-${j}`, new Date(t0.getTime() + j))[0] as NewProtocolRecord) });
        }
        await store.append(batch);
      }
      driver.rowsFetched = 0;
      driver.largestResult = 0;
      const it = store.export({ hops: ['received'] }, dpo)[Symbol.asyncIterator]();
      const first = await it.next();
      expect(first.value?.vorgangsnummer).toBe('VG-0');
      // Only the first page (plus the exported record's head row) has been read so far.
      expect(driver.rowsFetched).toBeLessThanOrEqual(501);
      // A record written mid-export still shows up: the export is not a preloaded result.
      await store.append([{ ...(queryRecords('VG-LATE', new Date(t0.getTime() + total))[0] as NewProtocolRecord) }]);
      let count = 1;
      let last: ProtocolRecord | undefined;
      for (let r = await it.next(); !r.done; r = await it.next()) {
        count++;
        last = r.value;
      }
      expect(count).toBe(total + 1);
      expect(last?.vorgangsnummer).toBe('VG-LATE');
      expect(driver.largestResult).toBeLessThanOrEqual(500);
    }, 120_000);

    it('keeps the chain intact under concurrent appends', async () => {
      const { store } = await open();
      const workers = Array.from({ length: 8 }, (_, w) =>
        (async () => {
          for (let i = 0; i < 10; i++) {
            await store.append([
              ...queryRecords(`VG-${w}-${i}`, t0).slice(0, 2),
              ...queryRecords(`VG-${w}-${i}`, t0, { partition: `authority:${w % 2}` }).slice(0, 1),
            ]);
          }
        })(),
      );
      await Promise.all(workers);
      const report = await store.verify();
      expect(report.ok).toBe(true);
      expect(Object.fromEntries(report.partitions.map((p) => [p.partition, p.headSeq]))).toEqual({
        'authority:0': 40,
        'authority:1': 40,
        operator: 160,
      });
    });
  });
}
