import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-check.js';
import { loadConfig, parseConfig } from '../../src/config/gateway-config.js';
import { checkPemFiles } from '../../src/reload/hop-security-setup.js';
import { projectRoot } from '../support/paths.js';
import { loadTestPki, testPkiDir } from '../support/test-pki.js';

/** Issue #20: a configuration is refused early and clearly, every problem named by its key. */
const run = promisify(execFile);
const defaults = parseYaml(readFileSync(path.join(projectRoot, 'config/default.yaml'), 'utf8')) as Record<string, unknown>;
const withPki = (): Record<string, unknown> => ({ ...structuredClone(defaults), security: { ...(defaults['security'] as object), testPki: testPkiDir() } });

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

let dir: string;
beforeAll(async () => {
  await loadTestPki();
  dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-config-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('unknown keys are refused, with the nearest known key', () => {
  it('the shipped configuration has none', () => {
    expect(problemsOf(defaults)).toEqual([]);
  });

  it('a typo in a party, in http and in a release window, each by its full path', () => {
    const raw = withPki();
    const parties = raw['parties'] as Array<Record<string, unknown>>;
    parties[2] = { ...parties[2], signerSubject: ['CN=x'] };
    raw['http'] = { ...(raw['http'] as object), prot: 9000 };
    raw['xmeld'] = { releases: { '26.11': { defaultFrm: '2026-11-01' } } };
    expect(problemsOf(raw)).toEqual([
      'http.prot: unknown key — did you mean port?',
      'xmeld.releases["26.11"].defaultFrm: unknown key — did you mean defaultFrom?',
      'parties[2].signerSubject: unknown key — did you mean signerSubjects?',
    ]);
  });

  it('a key far from any known one lists what is known there', () => {
    const [p] = problemsOf({ ...withPki(), log: { level: 'info', verbosityMode: true } });
    expect(p).toMatch(/^log\.verbosityMode: unknown key \(known here: level\)$/);
  });

  it('a wrong value names the key and what was expected; the file is named', () => {
    const raw = withPki();
    raw['http'] = { ...(raw['http'] as object), port: 'achtzig' };
    const file = path.join(dir, 'bad-value.yaml');
    writeFileSync(file, stringifyYaml(raw));
    expect(() => loadConfig(file, {})).toThrow(new RegExp(`in ${file.replace(/[.]/g, '\\.')}:\\n {2}http\\.port: Invalid input: expected number`));
  });
});

describe('PEM files are checked before use', () => {
  it('a trust anchor that is not a certificate names the key and the file', () => {
    const notPem = path.join(dir, 'not-a-cert.pem');
    writeFileSync(notPem, 'hello\n');
    const c = loadConfig(path.join(projectRoot, 'config/default.yaml'), {});
    c.security.testPki = testPkiDir();
    const party = c.parties[2];
    if (party === undefined) throw new Error('default.yaml has parties');
    party.trustAnchors = [notPem];
    party.signerCertificates = [path.join(dir, 'missing.pem')];
    let problems: string[] = [];
    try {
      checkPemFiles(c);
    } catch (e) {
      if (e instanceof ConfigError) problems = e.problems;
    }
    expect(problems).toEqual([
      `parties[2].trustAnchors[0]: file ${notPem} is not a PEM certificate`,
      `parties[2].signerCertificates[0]: file ${path.join(dir, 'missing.pem')} cannot be read (ENOENT)`,
    ]);
  });
});

describe('xmeld-gateway config check', () => {
  const cli = async (file: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> => {
    const base: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const k of ['XMELD_GATEWAY_CONFIG', 'XMELD_HTTP_PORT', 'XMELD_PORT', 'NODE_OPTIONS']) delete base[k];
    if (env['DATABASE_URL'] === undefined) delete base['DATABASE_URL'];
    try {
      const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '-c', file, 'config', 'check'], { cwd: projectRoot, env: base });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  };

  it('prints the configuration in effect with the database password masked', async () => {
    const file = path.join(dir, 'good.yaml');
    writeFileSync(file, stringifyYaml(withPki()));
    const r = await cli(file, { DATABASE_URL: 'postgres://gw:geheim@db.example:5432/xmeld' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('configuration ok');
    expect(r.stdout).toContain('postgres://gw:***@db.example:5432/xmeld');
    expect(r.stdout).not.toContain('geheim');
    expect(parseYaml(r.stdout)).toHaveProperty('http.port', 8080);
  });

  it('refuses a configuration with an unknown key, naming it (exit 1)', async () => {
    const raw = withPki();
    raw['queue'] = { prefx: 'x' };
    const file = path.join(dir, 'typo.yaml');
    writeFileSync(file, stringifyYaml(raw));
    const r = await cli(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('queue.prefx: unknown key — did you mean prefix?');
  });
});
