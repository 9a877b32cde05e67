/**
 * Issue #20's fault suite: two gateway processes sharing a Redis and a PostgreSQL of the suite's
 * own, under steady load, with faults injected the operator's way (pg_ctl restart, SIGSTOP/
 * SIGCONT, SIGKILL, SIGTERM, a register that hangs or is down), and the embedded defaults
 * restarted and replayed. Per fault one row of a table (printed at the end, and per fault as it
 * goes), and the contract's bounds asserted: nothing lost, nothing crashed, nothing answered
 * after the deadline + 1 s, every answered query's trail complete and verifying, recovery
 * within 10 s of the fault's end. Figures of a run: docs/operations.md.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProtocolStore } from '../../src/protocol/create-protocol-store.js';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { VerifyReport } from '../../src/protocol/protocol-store.js';
import type { TestPki } from '../../src/security/test-pki.js';
import type { SimulatedRegisters } from '../../src/simulator/server.js';
import { freePort } from '../support/free-port.js';
import { projectRoot } from '../support/paths.js';
import { RedisProcess } from '../queue/redis-process.js';
import { PostgresCluster } from './postgres-cluster.js';
import {
  DOWN_LAND, GatewayProcess, HANG_LAND, checkTrails, dropSchema, faultRow, formatFaultTable, gatewayYaml, isNormal, newAgent,
  pollHealth, readProtocol, recoveryAfter, runId, sendQuery, signedQuery, sleep, startRegisters, verdict,
  SteadyLoad, type FaultRow, type Probe, type QueryKind, type SendResult,
} from './support.js';

/** Short enough for CI, long enough that a 9 s freeze outlasts it (every wait must be bounded by it). */
const DEADLINE_MS = 8_000;
const GRACE_MS = 2_000;
/** The gateway's closing steps after the grace (SHUTDOWN_TAIL_MS in src/gateway.ts) plus process exit. */
const SHUTDOWN_BOUND_MS = GRACE_MS + 3_000 + 2_000;
const SLOW_MS = 1_000;
const LOOPS_PER_INSTANCE = 3;
const KINDS: QueryKind[] = ['hit', 'list', 'none', 'slow', 'family', 'hit'];
/** A send without an answer this long after its start counts as lost. */
const HANG_AFTER_MS = DEADLINE_MS + 6_000;
const RECOVERY_BOUND_MS = 10_000;
const HEALTH_BOUND_MS = 1_000;

describe.sequential('fault suite (issue #20): real PostgreSQL and Redis of its own, two instances, steady load', () => {
  const run = runId();
  const schema = `fault_suite_${run}`;
  const prefix = `xmeld-fault-suite-${run}`;
  const queueKey = randomBytes(32).toString('hex');
  const agent = newAgent();
  const rows: FaultRow[] = [];
  let pki: TestPki;
  let simulator: SimulatedRegisters | undefined;
  let pgc: PostgresCluster | undefined;
  let redis: RedisProcess | undefined;
  let a: GatewayProcess | undefined;
  let b: GatewayProcess | undefined;
  /** Requests that reached a simulated register (the replay scenario counts them). */
  let forwarded = 0;
  const suiteStarted = Date.now();

  beforeAll(async () => {
    [pgc, redis] = await Promise.all([PostgresCluster.start(), RedisProcess.start()]);
    ({ pki, simulator } = await startRegisters(SLOW_MS, {
      // Land 14 holds a Langsam query far past any deadline: the register that never answers.
      behaviour: { [HANG_LAND]: { slowDelayMs: 20 * DEADLINE_MS } },
      onRequest: () => { forwarded++; },
    }));
    // Land 16's route: a port nobody listens on (the register that is down).
    const down = `http://127.0.0.1:${await freePort()}/land/${DOWN_LAND}`;
    const opts = {
      simulator, redisUrl: redis.url, prefix, databaseUrl: pgc.url, schema, deadlineMs: DEADLINE_MS, queueKey,
      http: { shutdownGraceMs: GRACE_MS }, routeOverrides: { [DOWN_LAND]: down },
    };
    [a, b] = await Promise.all([GatewayProcess.start(opts), GatewayProcess.start(opts)]);
  }, 90_000);

  afterAll(async () => {
    if (rows.length > 0) console.error(`fault suite, ${new Date().toISOString()}, Node ${process.version}, ${os.availableParallelism()} cores, deadline ${DEADLINE_MS} ms, `
      + `${((Date.now() - suiteStarted) / 1000).toFixed(0)} s\n${formatFaultTable(rows)}`);
    await Promise.allSettled([a?.stop(5_000), b?.stop(5_000)]);
    await simulator?.close();
    await agent.close();
    await redis?.kill();
    if (pgc !== undefined) {
      await dropSchema(pgc.url, schema).catch(() => undefined);
      await pgc.remove();
    }
  }, 60_000);

  interface Scenario {
    results: SendResult[];
    probes: Probe[];
    fault: { start: number; end: number };
    trails: { checked: number; complete: number; missing: string[] };
    verify: VerifyReport;
    row: FaultRow;
  }

  /**
   * Steady load on `instances`, the fault injected after `preMs`, load kept up until the
   * instances answer normally again (at most the recovery bound) and 2 s more, then drained;
   * the protocol read as the DPO would and the row recorded.
   */
  async function underLoad(name: string, instances: GatewayProcess[], inject: (load: SteadyLoad) => Promise<{ start: number; end: number }>, o: {
    preMs?: number; extra?: (load: SteadyLoad) => void; measureRecovery?: boolean; excused?: (r: SendResult, fault: { start: number }) => boolean;
    /** The protocol store itself is the fault: a fault saying so needs no trail. */
    storeFaulted?: boolean;
  } = {}): Promise<Scenario> {
    const from = Date.now();
    const load = new SteadyLoad({ agent, pki, instances, kinds: KINDS, loopsPerInstance: LOOPS_PER_INSTANCE, hangAfterMs: HANG_AFTER_MS }).start();
    o.extra?.(load);
    const health = pollHealth(instances, 200);
    let fault: { start: number; end: number };
    try {
      await sleep(o.preMs ?? 2_000);
      fault = await inject(load);
      if (o.measureRecovery !== false) {
        while (Date.now() < fault.end + RECOVERY_BOUND_MS && recoveryAfter(load.results, fault.end) === undefined) await sleep(200);
        await sleep(2_000);
      }
    } finally {
      await load.stop();
      await health.stop();
    }
    const results = load.results;
    const { chains, verify } = await readProtocol((pgc as PostgresCluster).url, schema);
    const trails = checkTrails(results, chains, { from, to: Date.now() }, o.storeFaulted === true);
    const recoveryMs = o.measureRecovery === false ? undefined : recoveryAfter(results, fault.end);
    const row = faultRow(name, results, {
      deadlineMs: DEADLINE_MS, instances, trails, ...(recoveryMs === undefined ? {} : { recoveryMs }),
      ...(o.excused ? { excused: (r: SendResult) => (o.excused as NonNullable<typeof o.excused>)(r, fault) } : {}),
    });
    rows.push(row);
    const during = health.probes.filter((p) => p.at >= fault.start && p.at <= fault.end);
    const readyDuring: Record<string, number> = {};
    for (const p of during.filter((x) => x.path === '/ready')) readyDuring[String(p.status ?? 'none')] = (readyDuring[String(p.status ?? 'none')] ?? 0) + 1;
    console.error(`${formatFaultTable([row])}\n${details(results, fault)}\n/ready during the fault: ${JSON.stringify(readyDuring)}; `
      + `slowest /health ${Math.max(0, ...during.filter((p) => p.path === '/health').map((p) => p.ms))} ms, /ready ${Math.max(0, ...during.filter((p) => p.path === '/ready').map((p) => p.ms))} ms`);
    if (process.env['XMELD_FAULT_TEST_LOG'] !== undefined) {
      for (const [i, g] of instances.entries()) writeFileSync(path.join(os.tmpdir(), `fault-suite-${name.replace(/\W+/g, '-')}-${i}.log`), `fault ${fault.start}..${fault.end}\n${g.log}`);
    }
    return { results, probes: health.probes, fault, trails, verify, row };
  }

  /** What the table does not show: timings, and the answers that were not normal (those after the fault's end in full). */
  function details(results: SendResult[], fault: { start: number; end: number }): string {
    const ms = results.map((r) => r.endedAt - r.startedAt).sort((x, y) => x - y);
    const odd = results.filter((r) => !isNormal(r) && r.kind !== 'dead' && r.kind !== 'hang');
    const line = (r: SendResult): string => `${r.kind}@${r.to} ${verdict(r)}${r.protocolUnavailable ? '(Protokollierung)' : ''} sent ${r.startedAt - fault.start} ms after the fault's start, took ${r.endedAt - r.startedAt} ms`;
    const during = odd.filter((r) => r.endedAt < fault.end);
    const after = odd.filter((r) => r.endedAt >= fault.end);
    const reasons: Record<string, number> = {};
    for (const r of results.filter((x) => !isNormal(x) || x.kind === 'dead' || x.kind === 'hang')) {
      const key = `${verdict(r)} ${r.reason ?? r.error ?? ''}`.trim();
      reasons[key] = (reasons[key] ?? 0) + 1;
    }
    return `fault ${fault.end - fault.start} ms; answers by reason: ${JSON.stringify(reasons)}; durations p50 ${ms[Math.floor(ms.length / 2)] ?? '-'} ms, max ${ms.at(-1) ?? '-'} ms; `
      + `not normal during the fault: ${during.length} (${during.slice(0, 8).map(line).join('; ')}${during.length > 8 ? '; …' : ''}); `
      + `ending after it: ${after.length} (${after.map(line).join('; ')})`;
  }

  /** The contract's bounds, the same for every fault. */
  function expectBounds(s: Scenario, o: { recovery?: boolean } = {}): void {
    const log = [a, b].map((g) => g?.log.slice(-1_500) ?? '').join('\n---\n');
    expect(s.row.sent).toBeGreaterThan(0);
    expect(s.row.lost, `lost: ${s.results.filter((r) => r.status === undefined).map((r) => `${r.kind}→${r.error}`).join(', ')}\n${log}`).toBe(0);
    expect(s.row.crashed, log).toBe(0);
    expect(s.row.late, `late: ${s.results.filter((r) => r.endedAt - r.startedAt > DEADLINE_MS + 1_000).map((r) => `${verdict(r)} after ${r.endedAt - r.startedAt} ms`).join(', ')}`).toBe(0);
    expect(s.trails.missing, 'trails incomplete').toEqual([]);
    expect(s.trails.complete).toBe(s.trails.checked);
    expect(s.verify.ok, JSON.stringify(s.verify.firstBreak)).toBe(true);
    if (o.recovery !== false) {
      expect(s.row.recoveryMs, 'no recovery after the fault').toBeDefined();
      expect(s.row.recoveryMs as number).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    }
  }

  /** /health and /ready answer within 1 s throughout a store fault (and a bit after it). */
  function expectHealthAnswers(s: Scenario): void {
    const during = s.probes.filter((p) => p.at >= s.fault.start && p.at <= s.fault.end + 2_000);
    expect(during.length).toBeGreaterThan(0);
    const slow = during.filter((p) => p.status === undefined || p.ms > HEALTH_BOUND_MS);
    expect(slow.map((p) => `${p.path} of ${p.to}: ${p.status ?? 'no answer'} after ${p.ms} ms`)).toEqual([]);
    for (const p of during.filter((x) => x.path === '/health')) expect(p.status).toBe(200);
  }

  function readyStatuses(s: Scenario, from: number, to: number): (number | undefined)[] {
    return s.probes.filter((p) => p.path === '/ready' && p.at >= from && p.at + p.ms <= to).map((p) => p.status);
  }

  const both = (): GatewayProcess[] => [a as GatewayProcess, b as GatewayProcess];

  /** SIGSTOP for `ms`, then SIGCONT (also when the wait is cut short). */
  const frozenFor = (server: { freeze(): void; thaw(): void }, ms: number) => async (): Promise<{ start: number; end: number }> => {
    const start = Date.now();
    server.freeze();
    try {
      await sleep(ms);
    } finally {
      server.thaw();
    }
    return { start, end: Date.now() };
  };

  it('PostgreSQL restarted (pg_ctl restart -m fast) under load', async () => {
    const s = await underLoad('PostgreSQL restart', both(), async () => {
      const start = Date.now();
      await (pgc as PostgresCluster).restart();
      return { start, end: Date.now() };
    }, { storeFaulted: true });
    expectBounds(s);
    expectHealthAnswers(s);
  }, 90_000);

  it('PostgreSQL frozen (SIGSTOP of the cluster for 9 s) under load: /ready says not ready meanwhile', async () => {
    const s = await underLoad('PostgreSQL freeze 9 s', both(), frozenFor(pgc as PostgresCluster, 9_000), { storeFaulted: true });
    expectBounds(s);
    expectHealthAnswers(s);
    // The readiness check gives up on a frozen store within its own bound: "not ready", not silence.
    const whileFrozen = readyStatuses(s, s.fault.start + 1_000, s.fault.end);
    expect(whileFrozen.length).toBeGreaterThan(0);
    expect(whileFrozen.every((x) => x === 503), JSON.stringify(whileFrozen)).toBe(true);
  }, 90_000);

  it('Redis restarted (SIGKILL, started again empty 2 s later) under load', async () => {
    const s = await underLoad('Redis restart', both(), async () => {
      const start = Date.now();
      const r = redis as RedisProcess;
      await r.kill();
      await sleep(2_000);
      await r.start();
      return { start, end: Date.now() };
    });
    expectBounds(s);
    expectHealthAnswers(s);
    // A fresh query is never refused as a duplicate because Redis went away.
    expect(s.results.filter((r) => verdict(r) === 'fault:S100')).toEqual([]);
  }, 90_000);

  it('Redis frozen (SIGSTOP for 8 s) under load', async () => {
    const s = await underLoad('Redis freeze 8 s', both(), frozenFor(redis as RedisProcess, 8_000));
    expectBounds(s);
    expectHealthAnswers(s);
    expect(s.results.filter((r) => verdict(r) === 'fault:S100')).toEqual([]);
  }, 90_000);

  it('a register that never answers and one that is down: their callers get rueckweisung 16 in time, the others are not touched', async () => {
    const s = await underLoad('register hangs / is down', both(), async () => {
      const start = Date.now();
      // Long enough for the hanging register's first queries to reach their deadline.
      await sleep(DEADLINE_MS + 2_000);
      return { start, end: Date.now() };
    }, {
      preMs: 0, measureRecovery: false,
      extra: (load) => {
        for (const to of [0, 1]) {
          load.add(to, ['hang']);
          load.add(to, ['dead'], 200);
        }
      },
    });
    expectBounds(s, { recovery: false });
    const hang = s.results.filter((r) => r.kind === 'hang');
    const dead = s.results.filter((r) => r.kind === 'dead');
    expect(hang.length).toBeGreaterThan(0);
    expect(dead.length).toBeGreaterThan(0);
    for (const r of [...hang, ...dead]) expect(verdict(r), r.kind).toBe('r16');
    // The other registers' callers: their normal answers, throughout.
    const others = s.results.filter((r) => r.kind !== 'hang' && r.kind !== 'dead');
    expect(others.filter((r) => !isNormal(r)).map((r) => `${r.kind}: ${verdict(r)}`)).toEqual([]);
  }, 90_000);

  it('one of two instances SIGKILLed under load: the survivor answers everything, in time', async () => {
    const victim = a as GatewayProcess;
    const s = await underLoad('SIGKILL of 1 of 2 instances', both(), async (load) => {
      const start = Date.now();
      load.retire(0); // the load balancer takes the dead instance out
      victim.signal('SIGKILL');
      await victim.exited;
      return { start, end: Date.now() };
    }, {
      // The victim's callers in flight at the kill see their connection reset at once: no
      // answer can come from a killed process, but nobody is left waiting either.
      excused: (r, fault) => r.to === 0 && r.startedAt <= fault.start && ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(r.error ?? ''),
    });
    expectBounds(s);
    expect((await victim.exited).signal).toBe('SIGKILL');
    expect((b as GatewayProcess).running).toBe(true);
    // Every query to the survivor was answered (its real answer, or 16 where the victim held the job).
    const survivor = s.results.filter((r) => r.to === 1);
    expect(survivor.length).toBeGreaterThan(0);
    for (const r of survivor) expect(r.status, verdict(r)).toBeDefined();
  }, 90_000);

  it('SIGTERM with Redis down: exits within grace + a bit, queries in flight answered with a SOAP fault and recorded', async () => {
    const g = b as GatewayProcess;
    let exit: Awaited<GatewayProcess['exited']> | undefined;
    const s = await underLoad('SIGTERM, Redis down', [g], async (load) => {
      await sleep(800); // the hanging queries are at the register by now
      await (redis as RedisProcess).kill();
      load.retire(0); // nothing new is sent to an instance that is stopping
      const start = Date.now();
      g.signal('SIGTERM');
      exit = await Promise.race([g.exited, sleep(SHUTDOWN_BOUND_MS + 5_000).then(() => undefined)]);
      return { start, end: Date.now() };
    }, {
      measureRecovery: false,
      extra: (load) => { for (let i = 0; i < 3; i++) load.add(0, ['hang']); },
    });
    console.error(`SIGTERM: exit ${JSON.stringify(exit)}`);
    expectBounds(s, { recovery: false });
    expect(exit, `no exit within ${SHUTDOWN_BOUND_MS + 5_000} ms:\n${g.log}`).toBeDefined();
    expect(exit?.afterSignalMs as number).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);
    expect(exit?.code, g.log).toBe(0);
    // What hung at the register when the grace ran out: the receiver-side S999 fault (503).
    const cut = s.results.filter((r) => r.kind === 'hang' && r.endedAt >= s.fault.start);
    expect(cut.length).toBeGreaterThan(0);
    for (const r of cut) {
      expect(r.status).toBe(503);
      expect(verdict(r)).toBe('fault:S999');
      // At the end of the grace, long before the query's own deadline.
      expect(r.endedAt - s.fault.start).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);
    }
    // Each of those refusals is in the protocol (checked with every trail in expectBounds).
    expect(s.trails.checked).toBeGreaterThanOrEqual(cut.length);
  }, 90_000);

  it('the protocol verifies with the operator\'s command (protocol verify)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-fault-verify-'));
    try {
      const configFile = path.join(dir, 'gateway.yaml');
      writeFileSync(configFile, gatewayYaml(0, {
        simulator: simulator as SimulatedRegisters, databaseUrl: (pgc as PostgresCluster).url, schema, deadlineMs: DEADLINE_MS, queueKey,
      }));
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const k of ['REDIS_URL', 'DATABASE_URL', 'XMELD_GATEWAY_CONFIG', 'NODE_OPTIONS']) delete env[k];
      const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', configFile, 'protocol', 'verify'], {
        cwd: projectRoot, env, encoding: 'utf8', timeout: 30_000,
      });
      expect(out.status, `${out.stdout}\n${out.stderr}`).toBe(0);
      expect((JSON.parse(out.stdout) as { ok: boolean }).ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('embedded defaults restarted, then the same signed envelopes again: every one refused S100, none forwarded', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-fault-embedded-'));
    const opts = { simulator: simulator as SimulatedRegisters, dataDir, deadlineMs: DEADLINE_MS, queueKey };
    const kinds: QueryKind[] = ['hit', 'list', 'none', 'family', 'hit', 'list'];
    const queries = kinds.map((kind) => ({ kind, ...signedQuery(pki, kind) }));
    const send = (gw: GatewayProcess, q: (typeof queries)[number]): Promise<SendResult> =>
      sendQuery(agent, gw.endpoint, q.xml, { kind: q.kind, to: 0, uuid: q.uuid }, HANG_AFTER_MS);
    let gw: GatewayProcess | undefined;
    let first: SendResult[] = [];
    const again: SendResult[] = [];
    let forwardedAgain = Number.NaN;
    let restartedAt = 0;
    const instances: GatewayProcess[] = [];
    const took: Record<string, number> = {};
    const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      try {
        return await f();
      } finally {
        took[what] = Date.now() - t0;
      }
    };
    try {
      gw = await timed('start', () => GatewayProcess.start(opts));
      instances.push(gw);
      first = await Promise.all(queries.map((q) => send(gw as GatewayProcess, q)));
      await timed('stop', () => (gw as GatewayProcess).stop(10_000));
      gw = await timed('restart', () => GatewayProcess.start(opts)); // the same data directory
      instances.push(gw);
      restartedAt = Date.now();
      const before = forwarded;
      // One after the other, byte for byte as first sent.
      for (const q of queries) again.push(await send(gw, q));
      forwardedAgain = forwarded - before;
    } finally {
      await gw?.stop(10_000);
    }
    // The embedded store has one writer: read it once the gateway is gone.
    const chains = new Map<string, ProtocolRecord[]>();
    let verify: VerifyReport | undefined;
    try {
      const store = await createProtocolStore({ dataDir });
      try {
        for await (const r of store.export({}, { kind: 'dpo', id: 'fault-suite', purpose: 'test' })) {
          chains.set(r.vorgangsnummer, [...(chains.get(r.vorgangsnummer) ?? []), r]);
        }
        verify = await store.verify();
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    const trails = checkTrails([...first, ...again], chains, { from: restartedAt, to: Date.now() });
    const row = faultRow('embedded restart + replay', again, { deadlineMs: DEADLINE_MS, instances, trails });
    rows.push(row);
    console.error(`${formatFaultTable([row])}\nfirst round: ${first.map(verdict).join(', ')}; again after the restart: ${again.map(verdict).join(', ')}; forwarded again: ${forwardedAgain}; ms: ${JSON.stringify(took)}`);

    for (const r of first) expect(isNormal(r), verdict(r)).toBe(true);
    expect(row.lost).toBe(0);
    expect(row.crashed).toBe(0);
    expect(row.late).toBe(0);
    expect(trails.missing).toEqual([]);
    expect(verify?.ok).toBe(true);
    // The replay window outlives the restart: each envelope is a duplicate delivery.
    expect(again.map(verdict), 'replayed after the restart').toEqual(again.map(() => 'fault:S100'));
    expect(forwardedAgain, 'replayed queries forwarded to the register').toBe(0);
  }, 120_000);
});
