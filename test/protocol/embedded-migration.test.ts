/**
 * `protocol migrate-embedded`: a PGlite directory on disk with every kind of record (two
 * partitions, an export, a purge with its gaps, an aborted trail) becomes a SQLite store with the
 * same rows, chain for chain, and the gateway's store then opens SQLite there.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createProtocolStore } from '../../src/protocol/create-protocol-store.js';
import { SQLITE_FILE } from '../../src/protocol/embedded-location.js';
import { EmbeddedMigrationError, migrateEmbeddedStore } from '../../src/protocol/embedded-migration.js';
import { PGliteDriver } from '../../src/protocol/pglite-driver.js';
import { PGliteProtocolStore } from '../../src/protocol/pglite-store.js';
import type { NewProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { SqlDriver } from '../../src/protocol/sql-driver.js';
import { SqliteDriver } from '../../src/protocol/sqlite-driver.js';
import { SqliteProtocolStore } from '../../src/protocol/sqlite-store.js';
import { collect, queryRecords } from './fixtures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A PGlite directory as an older gateway left it, with records of every kind. */
async function pgliteDirectory(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'protocol-migrate-'));
  dirs.push(parent);
  const dir = join(parent, 'protocol');
  const store = await PGliteProtocolStore.open({ dataDir: dir, now: () => new Date('2026-02-01T00:00:00Z') });
  const old = new Date('2025-01-10T10:00:00Z');
  await store.append([
    ...queryRecords('VG-OLD', old),
    ...queryRecords('VG-SEC', new Date('2026-01-20T10:00:00Z'), { partition: 'authority:dbs:1', sicherheitsbehoerde: true }),
    { ...(queryRecords('VG-REJ', new Date('2026-01-21T10:00:00Z'))[0] as NewProtocolRecord), hop: 'rejected', outcome: { rueckweisung: ['18', '15'], rts: 'T070' } },
    ...queryRecords('VG-CUT', new Date('2026-01-22T10:00:00Z')).slice(0, 2),
    { vorgangsnummer: 'VG-R', hop: 'routed', at: new Date('2026-01-23T10:00:00Z'), messageType: '1330', target: 'land:09',
      xmeldRelease: '25.11a', translatedFrom: '26.11', endpoint: 'https://register.invalid/09', endpointSource: 'dvdv' },
  ]);
  await collect(store.export({ hops: ['received'] }, { kind: 'dpo', id: 'dsb', purpose: 'Prüfung' }));
  await store.closeAbandoned(new Date('2026-01-22T00:00:00Z'), new Date('2026-01-23T00:00:00Z'));
  expect((await store.purge(new Date('2026-01-15T00:00:00+01:00'), { dryRun: false })).total).toBe(5); // VG-OLD
  expect((await store.verify()).ok).toBe(true);
  await store.close();
  return dir;
}

async function rows(driver: SqlDriver, table: string): Promise<Record<string, unknown>[]> {
  return driver.query(`SELECT * FROM ${table} ORDER BY partition, seq`);
}

describe('migrating an embedded PGlite protocol to SQLite', () => {
  it('copies every record verbatim; verify says the same; the store then opens SQLite and goes on', async () => {
    const dir = await pgliteDirectory();
    const source = await PGliteDriver.open(dir);
    const before = await rows(source, 'public.protocol_record');
    const heads = await rows(source, 'public.protocol_head');
    await source.close();
    const verifyBefore = await (async () => {
      const s = await PGliteProtocolStore.open({ dataDir: dir });
      try { return await s.verify(); } finally { await s.close(); }
    })();

    const report = await migrateEmbeddedStore(dir, new Date('2026-03-01T12:00:00Z'));
    expect(report.records).toBe(before.length);
    expect(report.verify).toEqual(verifyBefore);
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(false);
    expect(readdirSync(join(dir, '..')).sort()).toEqual(['protocol', 'protocol.pglite-2026-03-01T12-00-00-000Z']);
    expect(existsSync(join(report.backup, 'PG_VERSION'))).toBe(true);

    // Row by row: chain position, links and every column's value, in the other store's encoding.
    const target = SqliteDriver.open(join(dir, SQLITE_FILE));
    const after = await rows(target, 'protocol_record');
    expect(await rows(target, 'protocol_head')).toEqual(heads.map((h) => ({ ...h, seq: Number(h['seq']) })));
    await target.close();
    expect(after.map((r) => [r['partition'], r['seq'], r['prev_hash'], r['hash']]))
      .toEqual(before.map((r) => [r['partition'], Number(r['seq']), r['prev_hash'], r['hash']]));
    const rejected = after.find((r) => r['hop'] === 'rejected');
    expect([rejected?.['rueckweisung'], rejected?.['at']]).toEqual(['["18","15"]', Date.parse('2026-01-21T10:00:00Z')]);
    expect(after.filter((r) => r['sicherheitsbehoerde'] === 1).map((r) => r['vorgangsnummer'])).toEqual(['VG-SEC']);
    expect(after.filter((r) => r['sicherheitsbehoerde'] === 0)).toHaveLength(3); // the other received records

    const store = await createProtocolStore({ dataDir: dir });
    expect(store).toBeInstanceOf(SqliteProtocolStore);
    const verify = await store.verify();
    expect(verify).toEqual(verifyBefore);
    const purged = await collect(store.export({ hops: ['purged'] }, { kind: 'dpo', id: 'dsb' }));
    expect(purged[0]?.purgeInfo?.gaps.map((g) => [g.fromSeq, g.toSeq])).toEqual([[1, 5]]);
    await store.append(queryRecords('VG-NEW', new Date('2026-03-01T12:00:00Z')));
    const next = await store.verify();
    expect(next.ok).toBe(true);
    expect(next.partitions.find((p) => p.partition === 'operator')?.headSeq)
      .toBe((verifyBefore.partitions.find((p) => p.partition === 'operator')?.headSeq ?? 0) + 6); // exported + 5
    await store.close();
  }, 120_000);

  it('refuses a directory that is not PGlite, and leaves nothing behind', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'protocol-migrate-'));
    dirs.push(parent);
    const dir = join(parent, 'protocol');
    await (await SqliteProtocolStore.open({ dataDir: dir })).close();
    await expect(migrateEmbeddedStore(dir)).rejects.toBeInstanceOf(EmbeddedMigrationError);
    expect(readdirSync(parent)).toEqual(['protocol']);
  });

  it('runs as `xmeld-gateway protocol migrate-embedded`, and `protocol verify` passes afterwards', async () => {
    const dir = await pgliteDirectory();
    const config = join(dir, '..', 'gateway.yaml');
    // The shipped configuration with this directory as the embedded store.
    const shipped = await readFile(join(root, 'config/default.yaml'), 'utf8');
    await writeFile(config, shipped.replace(/^ {2}dataDir: .*$/m, `  dataDir: ${JSON.stringify(dir)}`));
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', config, 'protocol', ...args], { cwd: root });
    const migrated = await cli('migrate-embedded');
    expect(migrated.stdout).toMatch(/moved 12 records to .*protocol; the PGlite directory is kept as /);
    const verified = await cli('verify');
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });
    expect(existsSync(join(dir, SQLITE_FILE))).toBe(true);
  }, 120_000);
});
