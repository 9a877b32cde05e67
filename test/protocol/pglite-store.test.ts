import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { PGliteDriver } from '../../src/protocol/pglite-driver.js';
import { PGliteProtocolStore } from '../../src/protocol/pglite-store.js';
import { SqlProtocolStore } from '../../src/protocol/sql-protocol-store.js';
import { createProtocolStore } from '../../src/protocol/create-protocol-store.js';
import { protocolStoreContract } from './protocol-store-contract.js';
import { collect, expectChainContinues, queryRecords } from './fixtures.js';

// One in-memory PGlite for the file (starting one costs seconds); each test gets its own schema.
let shared: Promise<PGliteDriver> | undefined;
afterAll(async () => {
  if (shared) await (await shared).close();
});

protocolStoreContract('PGlite (in memory)', async () => {
  shared ??= PGliteDriver.open();
  const driver = await shared;
  const schema = `protocol_test_${randomBytes(6).toString('hex')}`;
  return {
    driver,
    schema,
    storeOptions: { exclusiveWriter: true }, // as PGliteProtocolStore opens it
    cleanup: async () => void (await driver.query(`DROP SCHEMA "${schema}" CASCADE`)),
  };
});

describe('PGlite store as the only writer', () => {
  it('recovers from heads gone stale behind its back without losing a record', async () => {
    shared ??= PGliteDriver.open();
    const driver = await shared;
    const schema = `protocol_test_${randomBytes(6).toString('hex')}`;
    try {
      const store = new SqlProtocolStore(driver, { schema, exclusiveWriter: true });
      await store.migrate();
      const intruder = new SqlProtocolStore(driver, { schema });
      const t = new Date('2026-05-01T10:00:00Z');
      await store.append(queryRecords('VG-1', t));
      await intruder.append(queryRecords('VG-2', t)); // the store's cached head is now behind
      await store.append(queryRecords('VG-3', t));
      const report = await store.verify();
      expect(report.ok).toBe(true);
      expect(report.partitions[0]?.headSeq).toBe(15);
      const received = await collect(store.export({ hops: ['received'] }, { kind: 'dpo', id: 'dsb' }));
      expect(received.map((r) => r.vorgangsnummer)).toEqual(['VG-1', 'VG-2', 'VG-3']);
    } finally {
      await driver.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });
});

describe('PGlite store on disk', () => {
  it('keeps records and chain across a restart; createProtocolStore still opens a PGlite directory, with a warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'protocol-'));
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => { warnings.push(w); };
    process.on('warning', onWarning);
    try {
      const first = await PGliteProtocolStore.open({ dataDir: dir });
      await first.append(queryRecords('VG-1', new Date('2026-05-01T10:00:00Z')));
      await first.close();

      const second = await createProtocolStore({ dataDir: dir });
      expect(second).toBeInstanceOf(PGliteProtocolStore);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      expect(warnings.map((w) => (w as Error & { code?: string }).code)).toEqual(['XMELD_PROTOCOL_PGLITE']);
      await expectChainContinues(second);
    } finally {
      process.off('warning', onWarning);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
