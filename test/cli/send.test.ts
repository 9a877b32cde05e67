import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { projectRoot } from '../support/paths.js';
import { testPkiDir } from '../support/test-pki.js';

const run = promisify(execFile);
let h: Harness;
let dir: string;
let configFile: string;

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-send-'));
  configFile = path.join(dir, 'gateway.yaml');
  // The shipped configuration, on the test PKI the harness's gateway signs with.
  const yaml = readFileSync(path.join(projectRoot, 'config/default.yaml'), 'utf8').replace(/testPki: "[^"]*"/, `testPki: "${testPkiDir()}"`);
  writeFileSync(configFile, yaml);
});
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function send(...args: string[]): Promise<{ code: number; stdout: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['XMELD_GATEWAY_CONFIG', 'XMELD_HTTP_PORT', 'XMELD_PORT', 'NODE_OPTIONS']) delete env[k];
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '-c', configFile, 'send', '--url', h.endpoint, ...args], { cwd: projectRoot, env });
    return { code: 0, stdout: r.stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '' };
  }
}

describe('xmeld-gateway send', () => {
  it('prints a readable summary: outcome, Vorgangsnummer, correlation, verified signature, persons as a table', async () => {
    const r = await send('fixtures/queries/1330-unique-hit.xml');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Ergebnis\s+01 Treffer/m);
    expect(r.stdout).toMatch(/^Vorgangsnummer\s+\S+/m);
    expect(r.stdout).toMatch(/^Bezug\s+[0-9a-f-]{36} \(= gesendete Nachricht\)/m);
    expect(r.stdout).toMatch(/^Signatur\s+gültig \(.*CN=/m);
    expect(r.stdout).toMatch(/^Familienname\s+Vornamen\s+Geburtsdatum\s+Wohnort/m);
    expect(r.stdout).not.toContain('<');
  });

  it('--raw prints the envelope; --quiet one line without person data', async () => {
    const raw = await send('fixtures/queries/1330-unique-hit.xml', '--raw');
    expect(raw.stdout).toContain('Envelope');
    const summary = await send('fixtures/queries/1330-unique-hit.xml');
    const surname = /^-+.*\n(\S+)/m.exec(summary.stdout)?.[1];
    expect(surname).toBeDefined();
    expect(raw.stdout).toContain(surname);
    const quiet = await send('fixtures/queries/1330-unique-hit.xml', '--quiet');
    expect(quiet.stdout.trim().split('\n')).toHaveLength(1);
    expect(quiet.stdout).toContain('ergebnisstatus 01');
    expect(quiet.stdout).not.toContain(surname);
  });

  it('refuses to trust an answer signed by another certificate than the expected one (exit 3)', async () => {
    const r = await send('fixtures/queries/1330-unique-hit.xml', '--gateway-cert', path.join(testPkiDir(), 'mirror.cert.pem'));
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^Signatur\s+UNGÜLTIG \(T070/m);
  });

  it('--xmeld-version sends a 25.11a file as 26.11 and gets the answer in 26.11', async () => {
    const r = await send('fixtures/queries/1330-unique-hit.xml', '--xmeld-version', '26.11');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^XMeld\s+26\.11$/m);
    expect(r.stdout).toMatch(/^Ergebnis\s+01 Treffer/m);
    const plain = await send('fixtures/queries/1330-unique-hit.xml');
    expect(plain.stdout).toMatch(/^XMeld\s+25\.11a$/m);
  });

  it('a refusal shows the 0910 code and its text (exit 2)', async () => {
    const r = await send('fixtures/queries/1330-unique-hit.xml', '--as', 'untrusted');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^0910\s+T002 – /m);
  });
});
