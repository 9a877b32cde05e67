/**
 * Measures the protocol store: startup (open + migrate), RSS, appends/s of single records and
 * of batches of 50, and verify/export throughput.
 *   npx tsx bench/protocol-store/append-bench.ts sqlite-memory|sqlite-disk|pglite-memory|pglite-disk|postgres [records] [dataDir]
 * With a dataDir, the disk kinds keep their data there: run twice to measure opening an existing
 * store. `batch6Ms`/`batch50Ms`: wall time of one append of 6 (one query's hops) or 50 records on
 * an otherwise idle loop — on SQLite all of it but one setImmediate is the event loop blocked.
 * One store per process, so RSS is the store's. PostgreSQL: PROTOCOL_TEST_DATABASE_URL or the
 * local test database, in a scratch schema.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { IN_MEMORY } from '../../src/protocol/embedded-location.js';
import { PGliteProtocolStore } from '../../src/protocol/pglite-store.js';
import { SqliteProtocolStore } from '../../src/protocol/sqlite-store.js';
import { PostgresProtocolStore } from '../../src/protocol/postgres-store.js';
import { PostgresDriver } from '../../src/protocol/postgres-driver.js';
import type { ProtocolStore } from '../../src/protocol/protocol-store.js';
import type { NewProtocolRecord } from '../../src/protocol/protocol-record.js';
import { GroupCommitAppender } from '../../src/protocol/group-commit-appender.js';
import { queryRecords } from '../../test/protocol/fixtures.js';

const kind = process.argv[2] ?? 'pglite-memory';
const n = Number(process.argv[3] ?? 2000);
const url = process.env['PROTOCOL_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const mb = (b: number) => Math.round(b / 1024 / 1024);

const record = (i: number): NewProtocolRecord => queryRecords(`VG-${i}`, new Date(1_780_000_000_000 + i))[0] as NewProtocolRecord;

const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
let store: ProtocolStore;
let cleanup = async () => {};
if (kind === 'postgres') {
  const schema = `protocol_bench_${randomBytes(4).toString('hex')}`;
  store = await PostgresProtocolStore.open({ connectionString: url, schema });
  cleanup = async () => {
    const d = new PostgresDriver(url, 1);
    await d.query(`DROP SCHEMA "${schema}" CASCADE`);
    await d.close();
  };
} else {
  const given = process.argv[4];
  const dir = !kind.endsWith('-disk') ? IN_MEMORY : (given ?? (await mkdtemp(join(tmpdir(), 'protocol-bench-'))));
  const dataDir = dir === IN_MEMORY ? {} : { dataDir: dir };
  store = kind.startsWith('sqlite') ? await SqliteProtocolStore.open(dataDir) : await PGliteProtocolStore.open({ dataDir: dir });
  if (dir !== IN_MEMORY && !given) cleanup = () => rm(dir, { recursive: true, force: true });
}
const startupMs = performance.now() - t0;
const rssOpen = process.memoryUsage().rss;

let t = performance.now();
for (let i = 0; i < n; i++) await store.append([record(i)]);
const singlePerSec = n / ((performance.now() - t) / 1000);

t = performance.now();
const batches = Math.max(1, Math.floor((n * 5) / 50));
for (let b = 0; b < batches; b++) {
  await store.append(Array.from({ length: 50 }, (_, j) => record(n + b * 50 + j)));
}
const batchPerSec = (batches * 50) / ((performance.now() - t) / 1000);

/** Wall time per append of `size` records: median, 99th percentile, max (ms). */
async function batchCost(size: number, rounds: number, base: number): Promise<{ p50: number; p99: number; max: number }> {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const batch = Array.from({ length: size }, (_, j) => record(base + r * size + j));
    const s = performance.now();
    await store.append(batch);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 100) / 100;
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}
const batch6Ms = await batchCost(6, 300, 30_000_000);
const batch50Ms = await batchCost(50, 100, 31_000_000);

// Concurrent writers on one store (PostgreSQL: pool of 10 connections).
t = performance.now();
const workers = 8;
await Promise.all(
  Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; i < n / workers; i++) await store.append([record(10_000_000 + w * n + i)]);
  }),
);
const concurrentPerSec = n / ((performance.now() - t) / 1000);

// The same through group commit: concurrent callers share transactions.
const appender = new GroupCommitAppender(store);
t = performance.now();
const callers = 32;
await Promise.all(
  Array.from({ length: callers }, async (_, w) => {
    for (let i = 0; i < n / callers; i++) await appender.append([record(20_000_000 + w * n + i)]);
  }),
);
const groupCommitPerSec = n / ((performance.now() - t) / 1000);

t = performance.now();
const report = await store.verify();
const total = report.partitions.reduce((s, p) => s + p.records, 0);
const verifyPerSec = total / ((performance.now() - t) / 1000);

t = performance.now();
let exported = 0;
for await (const _r of store.export({}, { kind: 'dpo', id: 'bench' })) exported++;
const exportPerSec = exported / ((performance.now() - t) / 1000);

const rssEnd = process.memoryUsage().rss;
await store.close();
await cleanup();
process.stdout.write(
  `${JSON.stringify({
    kind,
    startupMs: Math.round(startupMs),
    rssMbBefore: mb(rss0),
    rssMbOpen: mb(rssOpen),
    rssMbEnd: mb(rssEnd),
    singlePerSec: Math.round(singlePerSec),
    batch50RecordsPerSec: Math.round(batchPerSec),
    concurrent8PerSec: Math.round(concurrentPerSec),
    groupCommit32PerSec: Math.round(groupCommitPerSec),
    batch6Ms,
    batch50Ms,
    verifyPerSec: Math.round(verifyPerSec),
    exportPerSec: Math.round(exportPerSec),
    verifyOk: report.ok,
    records: total,
  })}\n`,
);
