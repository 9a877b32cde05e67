import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProtocolStore } from '../../src/protocol/create-protocol-store.js';
import { SQLITE_FILE } from '../../src/protocol/embedded-location.js';
import { GroupCommitAppender } from '../../src/protocol/group-commit-appender.js';
import { ProtocolStoreLockedError, SqliteDriver } from '../../src/protocol/sqlite-driver.js';
import { SqliteProtocolStore } from '../../src/protocol/sqlite-store.js';
import { protocolStoreContract } from './protocol-store-contract.js';
import { expectChainContinues, queryRecords } from './fixtures.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'protocol-sqlite-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

// A real file per test, as the gateway opens it (WAL synced after each commit, exclusive lock).
protocolStoreContract('SQLite (file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'protocol-sqlite-contract-'));
  const driver = SqliteDriver.open(join(dir, SQLITE_FILE));
  return {
    driver,
    schema: 'main',
    cleanup: async () => {
      await driver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite store on disk', () => {
  it('is the default embedded store: WAL, durable commits, records and chain kept across a restart', async () => {
    const dir = await freshDir();
    const first = await createProtocolStore({ dataDir: dir });
    expect(first).toBeInstanceOf(SqliteProtocolStore);
    await first.append(queryRecords('VG-1', new Date('2026-05-01T10:00:00Z')));
    await first.close();
    expect(existsSync(join(dir, SQLITE_FILE))).toBe(true);

    const driver = SqliteDriver.open(join(dir, SQLITE_FILE));
    expect(driver.journalMode).toBe('wal');
    // NORMAL: SQLite syncs at checkpoints, the driver after each commit (below).
    expect(await driver.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
    await driver.close();

    await expectChainContinues(await createProtocolStore({ dataDir: dir }));
  });

  it('acknowledges a write only once the WAL is synced, writes during a sync sharing the next one', async () => {
    const dir = await freshDir();
    const pending: Array<(err: Error | null) => void> = [];
    let calls = 0;
    let fail = false;
    const driver = SqliteDriver.open(join(dir, SQLITE_FILE), {
      datasync: (_fd, done) => {
        calls++;
        pending.push(fail ? () => done(new Error('EIO')) : done);
      },
    });
    const until = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(cond()).toBe(true);
    };
    const release = (): void => {
      for (const d of pending.splice(0)) d(null);
    };
    try {
      const created = driver.transaction((tx) => tx.query('CREATE TABLE t (x)'));
      await until(() => pending.length === 1);
      release();
      await created;

      let acknowledged = false;
      const first = driver.query('INSERT INTO t VALUES (1)').then(() => { acknowledged = true; });
      await until(() => pending.length === 1);
      await new Promise((r) => setTimeout(r, 30));
      expect(acknowledged).toBe(false); // committed, not yet durable: not acknowledged
      const later = [driver.query('INSERT INTO t VALUES (2)'), driver.query('INSERT INTO t VALUES (3)')];
      await new Promise((r) => setTimeout(r, 30));
      expect(pending.length).toBe(1); // they wait for a sync that starts after their commit
      release();
      await first;
      await until(() => pending.length === 1);
      release();
      await Promise.all(later);
      expect(calls).toBe(3);
      expect(driver.walSyncs).toBe(3);

      expect(await driver.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 3 }]);
      expect(calls).toBe(3); // a read syncs nothing

      fail = true;
      const failed = driver.query('INSERT INTO t VALUES (4)');
      await until(() => pending.length === 1);
      release();
      await expect(failed).rejects.toThrow('EIO');
    } finally {
      release();
      await driver.close();
    }
  });

  it('memory:// is an in-memory database', async () => {
    const store = await createProtocolStore({ dataDir: 'memory://' });
    expect(store).toBeInstanceOf(SqliteProtocolStore);
    await store.append(queryRecords('VG-M', new Date('2026-05-01T10:00:00Z')));
    expect((await store.verify()).partitions[0]?.records).toBe(5);
    await store.close();
  });

  it('belongs to one process: a second process opening the same store is refused while the first has it', async () => {
    const dir = await freshDir();
    const owner = await SqliteProtocolStore.open({ dataDir: dir });
    const probe = `
      import { SqliteProtocolStore } from ${JSON.stringify(new URL('../../src/protocol/sqlite-store.ts', import.meta.url).href)};
      try { await SqliteProtocolStore.open({ dataDir: process.argv[1] }); console.log('opened'); }
      catch (e) { console.log(e.name); }`;
    const run = () => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', () => resolve(out.trim()));
      child.on('error', reject);
    });
    expect(await run()).toBe('ProtocolStoreLockedError');
    await owner.close();
    expect(await run()).toBe('opened');
  }, 60_000);

  it('the same process opening it twice is refused too', async () => {
    const dir = await freshDir();
    const owner = await SqliteProtocolStore.open({ dataDir: dir });
    try {
      await expect(SqliteProtocolStore.open({ dataDir: dir })).rejects.toBeInstanceOf(ProtocolStoreLockedError);
    } finally {
      await owner.close();
    }
  });

  it('appends from separate callbacks of one event-loop turn share a commit', async () => {
    const dir = await freshDir();
    const store = await SqliteProtocolStore.open({ dataDir: dir });
    const appender = new GroupCommitAppender(store);
    const t = new Date('2026-05-01T10:00:00Z');
    // Twenty callers, each in its own callback, as twenty requests' hops would arrive.
    const done = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      new Promise<Promise<void>>((resolve) => setImmediate(() => resolve(appender.append(queryRecords(`VG-${i}`, t))))).then((p) => p)));
    expect(done).toHaveLength(20);
    expect(appender.transactionCount).toBeLessThanOrEqual(3);
    const report = await store.verify();
    expect(report.ok).toBe(true);
    expect(report.partitions[0]?.records).toBe(100);
    await store.close();
  });
});
