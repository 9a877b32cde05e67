/**
 * Hashes of fixed records, computed once with the code that wrote the protocols in use
 * (commit 528ec21) and pinned here: stored chains must go on verifying whatever the code that
 * computes the hash looks like. A change to these values is a break of every existing protocol.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PGliteDriver } from '../../src/protocol/pglite-driver.js';
import { GENESIS_HASH, type NewProtocolRecord } from '../../src/protocol/protocol-record.js';
import { chainHash } from '../../src/protocol/record-hash.js';
import { normaliseRecord, parseNewRecord } from '../../src/protocol/record-schema.js';
import { SqlProtocolStore } from '../../src/protocol/sql-protocol-store.js';
import { SqliteDriver } from '../../src/protocol/sqlite-driver.js';
import type { SqlDriver } from '../../src/protocol/sql-driver.js';
import { collect } from './fixtures.js';

const at = new Date('2026-11-20T09:15:30.123Z');

/** Every field a caller may set, with values that exercise the encodings (false, null in JSON, unicode). */
const full = (): NewProtocolRecord => ({
  vorgangsnummer: 'VG-2026-000042',
  hop: 'answered',
  at,
  messageType: '1331',
  nachrichtenUUID: '2f4f4a52-6c43-4a39-9d55-1d2b7e8f0a11',
  autorKennung: 'dbs:030000010000',
  abrufberechtigteStelle: 'Polizeidirektion Hannover, Zentrale Kriminalinspektion',
  aktenzeichen: 'AZ-2026/17 „ä“',
  anlassDesAbrufs: 'Gefahrenabwehr',
  kennung: 'sb:4711',
  sicherheitsbehoerde: false,
  suchprofil: { auswahldaten: { familienname: 'Mustermann-Şahin', vornamen: ['Erika', 'Zoë'], groesse: 1.72, leer: null } },
  anforderungselemente: ['0101', '0102', '1201'],
  target: 'land:09',
  xmeldRelease: '25.11a',
  translatedFrom: '26.11',
  endpoint: 'https://register.invalid/09',
  endpointSource: 'dvdv',
  outcome: { ergebnisstatus: '02', rueckweisung: ['12', '13'], rts: 'S999', technicalFailure: 'timeout', personCount: 1000 },
  partition: 'authority:dbs:030000010000',
  operatorEvent: { action: 'suspend', actor: 'operator:anna', changes: ['authority dbs:1 suspended'], reason: 'Missbrauch' },
});

/** Only what every record has; messageType null is hashed as null, the absent rest not at all. */
const minimal = (): NewProtocolRecord => ({ vorgangsnummer: 'VG-2026-000043', hop: 'rejected', at, messageType: null });

const exported = { vorgangsnummer: 'export-1', hop: 'exported' as const, at, messageType: null, partition: 'operator',
  exportInfo: { requester: { kind: 'dpo' as const, id: 'dsb@gateway', purpose: 'Prüfung' }, partition: 'operator', filter: { from: '2026-01-01T00:00:00.000Z', hops: ['received' as const] } } };

const gap = { fromSeq: 1, toSeq: 5, lastHash: 'a'.repeat(64) };
const purged = { vorgangsnummer: 'purge-1', hop: 'purged' as const, at, messageType: null, partition: 'operator',
  purgeInfo: { cutoff: '2025-11-01T00:00:00.000Z', count: 5, fromAt: '2025-01-01T00:00:00.000Z', toAt: '2025-01-02T00:00:00.000Z', purgedRanges: [gap], gaps: [gap] } };

describe('chain hashes of existing records do not change', () => {
  const cases = [
    ['a record with every caller field', () => parseNewRecord(full()),
      'cb7a372d20742e426a5841e8edff1edef1470ad52b76b70bab0b7dd102667ac5', 'a059355a06f06c7478845249b71452bd4d0721e5eb0822de7f2e79c017043fbe'],
    ['a record with only the required fields', () => parseNewRecord(minimal()),
      '6311e264fdbbe6bd7b2b4fa895d44b15a43253b4d55fd446b46fca22ad27ebd3', '4c791b91d141d16a34c248ad47b9cc93a8302ff45e141ea9ba8226f2275e9780'],
    ['an exported record', () => normaliseRecord(exported),
      '5a252c297ad832327c02f0d9caf31243dbe0b3df1a644fe503f491117325a519', '039c58434d520275266957d6ce6ac142a3147d5a02c16d0ea63ef17abda653a3'],
    ['a purged record', () => normaliseRecord(purged),
      '87d263d0af8cc22faee75467741d023d61f7db11332986a75af234ae2a0c2b37', '8b0dd44a7c1c6386f1b6614de22a30fe0e0df777f6eeca8cc41a8092fdb32443'],
  ] as const;

  for (const [name, record, afterGenesis, afterOther] of cases) {
    it(`${name}: the hash pinned in 528ec21`, () => {
      expect(chainHash(record(), GENESIS_HASH)).toBe(afterGenesis);
      expect(chainHash(record(), 'f'.repeat(64))).toBe(afterOther);
    });
  }

  let pglite: Promise<PGliteDriver> | undefined;
  afterAll(async () => {
    if (pglite) await (await pglite).close();
  });

  const stores: [string, () => Promise<{ driver: SqlDriver; schema: string; done: () => Promise<void> }>][] = [
    ['SQLite', async () => {
      const driver = SqliteDriver.open(':memory:');
      return { driver, schema: 'main', done: () => driver.close() };
    }],
    ['PGlite', async () => {
      pglite ??= PGliteDriver.open();
      const driver = await pglite;
      return { driver, schema: 'pinned_hash', done: async () => void (await driver.query('DROP SCHEMA "pinned_hash" CASCADE')) };
    }],
  ];
  for (const [name, open] of stores) {
    it(`${name}: a store writes the pinned chain and verifies it`, async () => {
      const { driver, schema, done } = await open();
      try {
        const store = new SqlProtocolStore(driver, { schema });
        await store.migrate();
        await store.append([{ ...full(), partition: 'operator' }, minimal()]);
        const stored = await collect(store.export({ hops: ['answered', 'rejected'] }, { kind: 'dpo', id: 'dsb' }));
        expect(stored.map((r) => r.hash)).toEqual([
          'b90950ca83b75793b8a4daceadedae7b35254acf000ea458161020094a585ce1',
          '85f76f494cdeff44a4d9da1ad6956a5e8b92c4b1126996ead4c9fc28fb35ec61',
        ]);
        expect((await store.verify()).ok).toBe(true);
      } finally {
        await done();
      }
    });
  }
});
