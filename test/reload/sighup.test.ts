import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { TestPki } from '../../src/security/test-pki.js';
import type { SimulatedRegisters } from '../../src/simulator/server.js';
import { projectRoot } from '../support/paths.js';
import {
  DATABASE_URL, GatewayProcess, REDIS_URL, deleteRedisPrefix, dropSchema, newAgent, readProtocol, runId,
  sendQuery, signedQuery, startRegisters, verdict,
} from '../faults/support.js';

const POLICE = 'dbs:030000010000';

/** The operator's way on a real process: edit the file, `xmeld-gateway reload --pid`. */
describe('xmeld-gateway reload (SIGHUP) on a running gateway process', () => {
  const run = runId();
  const prefix = `xmeld-sighup-${run}`;
  const schema = `reload_sighup_${run}`;
  let pki: TestPki;
  let simulator: SimulatedRegisters;
  let gw: GatewayProcess | undefined;
  const agent = newAgent();

  beforeAll(async () => {
    ({ pki, simulator } = await startRegisters(1_000));
    gw = await GatewayProcess.start({
      simulator, redisUrl: REDIS_URL, prefix, databaseUrl: DATABASE_URL, schema, deadlineMs: 8_000, queueKey: randomBytes(32).toString('hex'),
    });
  });
  afterAll(async () => {
    await gw?.stop(5_000);
    await simulator?.close();
    await agent.close();
    await deleteRedisPrefix(REDIS_URL, prefix);
    await dropSchema(DATABASE_URL, schema);
  });

  const send = async () => verdict(await sendQuery(agent, (gw as GatewayProcess).endpoint, signedQuery(pki, 'hit').xml, { kind: 'hit', to: 0 }, 15_000));
  const reloadCli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', (gw as GatewayProcess).configFile, 'reload', ...args], {
    cwd: projectRoot, encoding: 'utf8', env: { ...process.env, REDIS_URL: '', DATABASE_URL: '' },
  });

  it('refuses a broken file without signalling, applies a good one at once', async () => {
    const g = gw as GatewayProcess;
    expect(await send()).toBe('01');
    const original = readFileSync(g.configFile, 'utf8');
    const raw = parseYaml(original) as { authorities: { kennung: string; suspended?: boolean }[]; security: Record<string, unknown> };

    writeFileSync(g.configFile, stringifyYaml({ ...raw, security: { ...raw.security, signingKey: '/nonexistent/gateway.key.pem' } }));
    const broken = reloadCli(['--pid', String(g.pid)]);
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toContain('/nonexistent/gateway.key.pem');
    expect(await send()).toBe('01');

    raw.authorities = raw.authorities.map((a) => (a.kennung === POLICE ? { ...a, suspended: true } : a));
    writeFileSync(g.configFile, stringifyYaml(raw));
    const good = reloadCli(['--pid', String(g.pid)]);
    expect(good.status, good.stderr).toBe(0);
    await g.waitForOutput(/reloaded: authority dbs:030000010000 suspended/, 15_000);
    expect(await send()).toBe('fault:T070');

    const { chains } = await readProtocol(DATABASE_URL, schema);
    const events = [...chains.values()].flat().filter((r) => r.hop === 'operator').map((r) => r.operatorEvent);
    expect(events).toEqual([{ action: 'reload', actor: 'signal:SIGHUP', changes: [`authority ${POLICE} suspended`] }]);
  });
});
