import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PostgresDriver } from '../../src/protocol/postgres-driver.js';
import { PostgresProtocolStore } from '../../src/protocol/postgres-store.js';
import { SqlProtocolStore } from '../../src/protocol/sql-protocol-store.js';
import { createProtocolStore } from '../../src/protocol/create-protocol-store.js';
import { protocolStoreContract } from './protocol-store-contract.js';
import { queryRecords } from './fixtures.js';

const DATABASE_URL = process.env['PROTOCOL_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Every test gets its own schema in the shared database, dropped afterwards. */
function freshSchema(): string {
  return `protocol_test_${randomBytes(6).toString('hex')}`;
}

async function dropSchema(schema: string): Promise<void> {
  const admin = new PostgresDriver(DATABASE_URL, 1);
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
}

protocolStoreContract('PostgreSQL', async () => {
  const schema = freshSchema();
  const driver = new PostgresDriver(DATABASE_URL);
  return {
    driver,
    schema,
    cleanup: async () => {
      await driver.close();
      await dropSchema(schema);
    },
  };
});

describe('PostgreSQL store, many gateway instances', () => {
  it('migrates concurrently and keeps every chain intact when two instances append at once', async () => {
    const schema = freshSchema();
    try {
      // Two instances starting at the same moment: one migrates, the other waits and finds it done.
      const [a, b] = await Promise.all([
        PostgresProtocolStore.open({ connectionString: DATABASE_URL, schema }),
        createProtocolStore({ databaseUrl: DATABASE_URL, schema }),
      ]);
      expect(b).toBeInstanceOf(PostgresProtocolStore);
      const t0 = new Date('2026-06-01T09:00:00Z');
      const writer = (store: SqlProtocolStore | typeof b, name: string) =>
        Array.from({ length: 6 }, (_, w) =>
          (async () => {
            for (let i = 0; i < 25; i++) {
              const v = `VG-${name}-${w}-${i}`;
              // One batch spans two partitions, as the gateway's would for a commissioned authority.
              await store.append([...queryRecords(v, t0), ...queryRecords(v, t0, { partition: 'authority:dbs:1' }).slice(0, 1)]);
            }
          })(),
        );
      await Promise.all([...writer(a, 'a'), ...writer(b, 'b')]);

      for (const store of [a, b]) {
        const report = await store.verify();
        expect(report.ok).toBe(true);
        expect(Object.fromEntries(report.partitions.map((p) => [p.partition, p.records]))).toEqual({
          'authority:dbs:1': 2 * 6 * 25,
          operator: 2 * 6 * 25 * 5,
        });
      }
      await a.close();
      await b.close();
    } finally {
      await dropSchema(schema);
    }
  }, 120_000);
});
