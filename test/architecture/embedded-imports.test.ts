import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/paths.js';

const run = promisify(execFile);

/**
 * Embedded defaults load no client of a service they do not use: BullMQ with ioredis were
 * ≈ 35 MB of the gateway's memory (docs/performance.md), pg and PGlite a few more. A fresh
 * process imports the gateway's module and reports every package resolved.
 */
describe('what the embedded gateway loads', () => {
  it('imports neither ioredis, BullMQ, pg nor PGlite until they are configured', async () => {
    const hook = `
      import { registerHooks } from 'node:module';
      const seen = new Set();
      registerHooks({ resolve(spec, ctx, next) {
        const r = next(spec, ctx);
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
        if (m) seen.add(m[1]);
        return r;
      } });
      process.on('exit', () => console.log(JSON.stringify([...seen])));`;
    const { stdout } = await run(process.execPath, [
      '--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(hook)}`, '--input-type=module',
      '-e', `await import(${JSON.stringify(path.join(projectRoot, 'src/gateway.ts'))});`,
    ], { cwd: projectRoot });
    const loaded = JSON.parse(stdout.trim().split('\n').pop() ?? '[]') as string[];
    expect(loaded).toContain('libxml2-wasm'); // the hook saw the gateway's own imports
    for (const pkg of ['ioredis', 'bullmq', 'pg', '@electric-sql/pglite']) expect(loaded, pkg).not.toContain(pkg);
  });
});
