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

describe('PostgreSQL going away under a transaction', () => {
  it('a connection killed between two statements rejects the transaction and does not end the process', async () => {
    const driver = new PostgresDriver(DATABASE_URL, 2);
    const admin = new PostgresDriver(DATABASE_URL, 1);
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => { uncaught.push(e); };
    process.on('uncaughtException', onUncaught);
    try {
      const outcome = driver.transaction(async (tx) => {
        const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid') as [{ pid: number }];
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((r) => setTimeout(r, 200)); // the client learns of it while idle in transaction
        await tx.query('SELECT 1');
      });
      await expect(outcome).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      // The pool recovers by itself: the next transaction gets a fresh connection.
      expect(await driver.transaction(async (tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await driver.close();
      await admin.close();
    }
  });

  it('a statement that outlasts the statement timeout is aborted', async () => {
    const driver = new PostgresDriver(DATABASE_URL, { poolSize: 1, statementTimeoutMs: 300 });
    try {
      const t0 = Date.now();
      await expect(driver.query('SELECT pg_sleep(5)')).rejects.toThrow();
      expect(Date.now() - t0).toBeLessThan(2_000);
    } finally {
      await driver.close();
    }
  });
});
