/** Shared test data and helpers for the protocol tests. */
import type { NewProtocolRecord, ProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { ProtocolStore } from '../../src/protocol/protocol-store.js';
import { assemble, FIELD_LIST, type RecordFieldName } from '../../src/protocol/record-fields.js';
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

/**
 * Two values for every field of the record table (record-fields.ts): the first to write, the
 * second to change it to. Keyed by the table, so a new field needs its samples here — and is
 * then covered by the shape, hash and tamper tests.
 */
export const FIELD_SAMPLES: { readonly [F in RecordFieldName]: readonly [unknown, unknown] } = {
  vorgangsnummer: ['VG-1', 'VG-2'],
  hop: ['routed', 'dispatched'],
  at: [new Date('2026-12-03T10:00:00.000Z'), new Date('2026-12-03T10:00:00.001Z')],
  partition: ['operator', 'authority:dbs:1'],
  seq: [1, 99],
  messageType: ['1330', '1332'],
  nachrichtenUUID: ['2f4f4a52-6c43-4a39-9d55-1d2b7e8f0a11', '2f4f4a52-6c43-4a39-9d55-1d2b7e8f0a12'],
  autorKennung: ['dbs:030000010000', 'dbs:030000010001'],
  abrufberechtigteStelle: ['Polizeidirektion', 'Polizeidirektion Süd'],
  aktenzeichen: ['AZ-1', 'AZ-2'],
  anlassDesAbrufs: ['Gefahrenabwehr', 'Strafverfolgung'],
  kennung: ['sb:1', 'sb:2'],
  sicherheitsbehoerde: [true, false],
  suchprofil: [{ familienname: 'Muster' }, { familienname: 'Mustre' }],
  anforderungselemente: [['1', '2'], ['1', '3']],
  target: ['land:09', 'land:08'],
  xmeldRelease: ['26.11', '25.11a'],
  translatedFrom: ['25.11a', '26.11'],
  endpoint: ['https://register.example/09', 'https://register.example/08'],
  endpointSource: ['dvdv', 'config'],
  ergebnisstatus: ['01', '02'],
  rueckweisung: [['16'], ['17']],
  rts: ['S999', 'T011'],
  technicalFailure: ['timeout', 'fault'],
  personCount: [1, 2],
  exportInfo: [{ requester: { kind: 'dpo', id: 'dsb' }, partition: 'operator', filter: {} }, { requester: { kind: 'dpo', id: 'dsb2' }, partition: 'operator', filter: {} }],
  purgeInfo: [{ cutoff: '2025-01-01T00:00:00.000Z', count: 1, fromAt: '2024-01-01T00:00:00.000Z', toAt: '2024-01-01T00:00:00.000Z', purgedRanges: [], gaps: [] },
    { cutoff: '2025-01-02T00:00:00.000Z', count: 1, fromAt: '2024-01-01T00:00:00.000Z', toAt: '2024-01-01T00:00:00.000Z', purgedRanges: [], gaps: [] }],
  operatorEvent: [{ action: 'suspend', actor: 'operator:a', changes: ['authority x suspended'] }, { action: 'unsuspend', actor: 'operator:a', changes: ['authority x suspended'] }],
  prevHash: ['0'.repeat(64), 'b'.repeat(64)],
  hash: ['c'.repeat(64), 'd'.repeat(64)],
};

/** A caller's record with every field a caller may set, from the first samples (or the second for `changed`). */
export function recordWithEveryField(changed?: RecordFieldName): NewProtocolRecord & { partition: string } {
  const fields = FIELD_LIST.filter((f) => f.caller !== undefined);
  return assemble(fields, (f) => FIELD_SAMPLES[f.name][f.name === changed ? 1 : 0]) as unknown as NewProtocolRecord & { partition: string };
}
