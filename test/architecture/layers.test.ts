import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { BASE, LAYERS, ROOT } from '../../scripts/eslint-layers.js';
import { projectRoot } from '../support/paths.js';

const eslint = new ESLint({ cwd: projectRoot });

/** The layering rule's messages for `code` as if it were the file `file` (relative to the project). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(projectRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'layers/layering').map((m) => m.message);
}

describe('the layers of src/ (scripts/eslint-layers.js, run by npm run lint)', () => {
  it('refuses a planted upward import: xml may not read xmeld', async () => {
    const errors = await layerErrors('src/xml/planted.ts', "import { RELEASES } from '../xmeld/releases.js';\nexport const n = RELEASES.length;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/src\/xml may not import src\/xmeld/);
  });

  it('refuses a store reaching dispatch, and an import between two folders of one layer', async () => {
    expect(await layerErrors('src/protocol/planted.ts', "export { createDispatchHandler } from '../dispatch/dispatch-worker.js';\n")).toHaveLength(1);
    expect(await layerErrors('src/rules/planted.ts', "import type { Leg } from '../routing/route-query.js';\nexport type L = Leg;\n")).toHaveLength(1);
  });

  it('refuses I/O in a pure rule and an implementation picked outside the composition root', async () => {
    expect(await layerErrors('src/routing/planted.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n")).toEqual(['routing/planted.ts is a pure rule: no I/O (node:fs)']);
    const picked = await layerErrors('src/intake/planted.ts', "import { MemoryDispatchQueue } from '../queue/memory-dispatch-queue.js';\nexport const q = new MemoryDispatchQueue();\n");
    expect(picked[0]).toMatch(/implementation: only the composition root/);
    expect(await layerErrors('src/gateway.ts', "import { MemoryDispatchQueue } from './queue/memory-dispatch-queue.js';\nexport const q = new MemoryDispatchQueue();\n")).toEqual([]);
  });

  it('lets imports point down and to the shared base', async () => {
    const code = "import { RejectedMessageError } from '../errors.js';\nimport { RELEASES } from '../xmeld/releases.js';\nimport { textAt } from '../xmeld/xpath-read.js';\nexport const x = [RejectedMessageError, RELEASES, textAt];\n";
    expect(await layerErrors('src/soap/planted.ts', code)).toEqual([]);
  });

  it('places every folder of src/ on a layer (a new folder cannot escape the rule)', () => {
    const placed = new Set([...LAYERS.flat(), ...BASE, ROOT]);
    const folders = readdirSync(path.join(projectRoot, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.filter((f) => !placed.has(f))).toEqual([]);
  });
});
