/**
 * `node --import tsx bench/pglite-memory.ts`: RSS of a process that opens PGlite (the embedded
 * protocol store's engine) on a fresh and on an existing data directory, with the defaults and
 * with smaller memory settings. Each variant runs in its own process.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

const variants: Record<string, PGliteOptions> = {
  default: {},
  'initialMemory 128 MB': { initialMemory: 128 * 1024 * 1024 },
  'shared_buffers 16 MB': { postgresqlconf: ['shared_buffers = 16MB'] } as PGliteOptions,
};

const mb = (): number => Math.round(process.memoryUsage().rss / 1048576);

if (process.argv[2] === 'child') {
  const [dir, name] = [process.argv[3] as string, process.argv[4] as string];
  const before = mb();
  const t = performance.now();
  try {
    const db = await PGlite.create(dir, variants[name]);
    const opened = mb();
    await db.query('CREATE TABLE IF NOT EXISTS t (id serial primary key, v jsonb)');
    for (let i = 0; i < 2000; i++) await db.query('INSERT INTO t (v) VALUES ($1)', [{ i, s: 'x'.repeat(400) }]);
    process.send?.({ name, before, opened, after2000Inserts: mb(), openMs: Math.round(performance.now() - t) });
    await db.close();
  } catch (e) {
    process.send?.({ name, error: String(e) });
  }
  process.exit(0);
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (dir: string, name: string): Promise<unknown> => new Promise((resolve) => {
    const c = fork(self, ['child', dir, name], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    c.on('message', resolve);
  });
  for (const name of Object.keys(variants)) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-bench-pglite-mem-'));
    console.log('fresh dir   ', JSON.stringify(await run(dir, name)));
    console.log('existing dir', JSON.stringify(await run(dir, name)));
    rmSync(dir, { recursive: true, force: true });
  }
}
