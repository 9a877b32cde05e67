/** Shared test data and helpers for the protocol tests. */
import type { NewProtocolRecord, ProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { ProtocolStore } from '../../src/protocol/protocol-store.js';
import type { SqlDriver, SqlQueryable } from '../../src/protocol/sql-driver.js';
import { expect } from 'vitest';

export function queryRecords(vorgangsnummer: string, at: Date, extra: Partial<NewProtocolRecord> = {}): NewProtocolRecord[] {
  const base: NewProtocolRecord = {
    vorgangsnummer,
    hop: 'received',
    at,
    messageType: '1330',
    nachrichtenUUID: `uuid-${vorgangsnummer}`,
    autorKennung: 'ags:09162000',
    abrufberechtigteStelle: 'Landeshauptstadt München, Kreisverwaltungsreferat',
    aktenzeichen: 'AZ-2026/17',
    anlassDesAbrufs: 'Ermittlung der Anschrift im Verwaltungsverfahren',
    kennung: 'sachbearbeiter:4711',
    sicherheitsbehoerde: false,
    suchprofil: { auswahldaten: { familienname: 'Mustermann-Şahin', vornamen: ['Erika', 'Zoë'], geburtsdatum: '1964-08-12', groesse: 1.72 } },
    anforderungselemente: ['0101', '0102', '1201'],
    target: 'land:05',
    ...extra,
  };
  const ms = (n: number) => new Date(at.getTime() + n);
  const hops: NewProtocolRecord[] = [
    base,
    { vorgangsnummer, hop: 'routed', at: ms(1), messageType: '1330', target: base.target, ...pick(extra) },
    { vorgangsnummer, hop: 'dispatched', at: ms(2), messageType: '1330', target: base.target, ...pick(extra) },
    {
      vorgangsnummer,
      hop: 'answered',
      at: ms(30),
      messageType: '1331',
      target: base.target,
      outcome: { ergebnisstatus: '01', personCount: 1 },
      ...pick(extra),
    },
    { vorgangsnummer, hop: 'delivered', at: ms(31), messageType: '1331', ...pick(extra) },
  ];
  return hops.map((r) => ({ autorKennung: base.autorKennung, ...r }));
}

function pick(extra: Partial<NewProtocolRecord>): Partial<NewProtocolRecord> {
  const out: Partial<NewProtocolRecord> = {};
  if (extra.partition !== undefined) out.partition = extra.partition;
  if (extra.autorKennung !== undefined) out.autorKennung = extra.autorKennung;
  return out;
}

/** The content of a stored record as the caller gave it (chain fields removed). */
export function content(r: ProtocolRecord): NewProtocolRecord {
  const { seq: _s, prevHash: _p, hash: _h, ...rest } = r;
  return rest;
}

/**
 * A store reopened on a directory holding VG-1 (five records): migrating again is a no-op, and
 * the chain goes on from where it was. Closes the store.
 */
export async function expectChainContinues(reopened: ProtocolStore): Promise<void> {
  await reopened.migrate(); // idempotent
  await reopened.append(queryRecords('VG-2', new Date('2026-05-01T11:00:00Z')));
  const report = await reopened.verify();
  expect(report.ok).toBe(true);
  expect(report.partitions[0]?.headSeq).toBe(10);
  const rows = await collect(reopened.export({ hops: ['received'] }, { kind: 'dpo', id: 'dsb' }));
  expect(rows.map((r) => r.vorgangsnummer)).toEqual(['VG-1', 'VG-2']);
  await reopened.close();
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Wraps a driver to count rows returned per query and optionally fail a chosen statement. */
export class InstrumentedDriver implements SqlDriver {
  rowsFetched = 0;
  largestResult = 0;
  failWhen: ((sql: string) => boolean) | undefined;

  constructor(private readonly inner: SqlDriver) {}

  get dialect(): SqlDriver['dialect'] {
    return this.inner.dialect;
  }

  private wrap(q: SqlQueryable): SqlQueryable {
    return {
      query: async <T>(sql: string, params?: unknown[]) => {
        if (this.failWhen?.(sql)) throw new Error('injected failure');
        const rows = await q.query<T>(sql, params);
        this.rowsFetched += rows.length;
        this.largestResult = Math.max(this.largestResult, rows.length);
        return rows;
      },
    };
  }

  query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.wrap(this.inner).query<T>(sql, params);
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => fn(this.wrap(tx)));
  }

  readSnapshot<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T> {
    return this.inner.readSnapshot((q) => fn(this.wrap(q)));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
