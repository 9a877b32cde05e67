/**
 * A crash never leaves half a record set, and a Vorgang reported committed (answer delivered)
 * always has its records: a writer process is killed with SIGKILL mid-append, the store is
 * reopened and checked.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PGliteProtocolStore } from '../../src/protocol/pglite-store.js';
import { SqliteProtocolStore } from '../../src/protocol/sqlite-store.js';
import { PostgresProtocolStore } from '../../src/protocol/postgres-store.js';
import { PostgresDriver } from '../../src/protocol/postgres-driver.js';
import type { ProtocolStore } from '../../src/protocol/protocol-store.js';
import { collect } from './fixtures.js';

const DATABASE_URL = process.env['PROTOCOL_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const writer = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));

/** Runs the writer until it has committed `after` Vorgänge, then kills it; returns what it reported. */
function runAndKill(args: string[], after: number): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const committed = new Set<string>();
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('committed ')) committed.add(line.slice(10));
      if (committed.size >= after && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(committed) : reject(new Error(`writer exited on its own: ${stderr}`)),
    );
  });
}

async function checkAfterCrash(store: ProtocolStore, committed: Set<string>): Promise<void> {
  expect((await store.verify()).ok).toBe(true);
  const rows = await collect(store.export({}, { kind: 'dpo', id: 'dsb' }));
  const perVorgang = new Map<string, number>();
  for (const r of rows) if (r.hop !== 'exported') perVorgang.set(r.vorgangsnummer, (perVorgang.get(r.vorgangsnummer) ?? 0) + 1);
  // All five hops of every Vorgang present, or none.
  expect([...perVorgang.values()].every((n) => n === 5)).toBe(true);
  for (const v of committed) expect(perVorgang.get(v)).toBe(5);
}

/** An embedded store's directory: the writer is killed after `after` commits, then it is reopened. */
async function crashOnDisk(kind: 'sqlite' | 'pglite', after: number, open: (dataDir: string) => Promise<ProtocolStore>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'protocol-crash-'));
  try {
    const committed = await runAndKill([kind, dir], after);
    expect(committed.size).toBeGreaterThanOrEqual(after);
    const store = await open(dir);
    await checkAfterCrash(store, committed);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('crash safety', () => {
  it('SQLite on disk: SIGKILL mid-append (group commit, 8 in flight) leaves whole batches and a sound chain', async () => {
    await crashOnDisk('sqlite', 400, (dataDir) => SqliteProtocolStore.open({ dataDir }));
  }, 120_000);

  it('PGlite on disk: SIGKILL mid-append leaves whole batches and a sound chain', async () => {
    await crashOnDisk('pglite', 40, (dataDir) => PGliteProtocolStore.open({ dataDir }));
  }, 120_000);

  it('PostgreSQL: SIGKILL mid-append leaves whole batches and a sound chain', async () => {
    const schema = `protocol_test_${randomBytes(6).toString('hex')}`;
    try {
      const committed = await runAndKill(['postgres', DATABASE_URL, schema], 200);
      const store = await PostgresProtocolStore.open({ connectionString: DATABASE_URL, schema });
      await checkAfterCrash(store, committed);
      await store.close();
    } finally {
      const admin = new PostgresDriver(DATABASE_URL, 1);
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.close();
    }
  }, 120_000);
});
