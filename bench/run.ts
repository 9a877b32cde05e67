/**
 * `npm run bench` — issue "Fast to the limit". One run prints, and writes bench/results/latest.json:
 *  1. the crypto bound (RSA-2048 signatures/s per core ÷ 2 signatures per query × cores),
 *  2. the whole path: simulator, gateway and load generator in separate processes, closed loop at
 *     fixed concurrency and open loop at half the best throughput, embedded defaults and
 *     Redis + PostgreSQL, with the register's own time measured by direct requests,
 *  3. per-stage costs in-process beside libxml2 (xmllint) and libxmlsec1 (python3-xmlsec),
 *  4. a memory soak (--soak N, default 20 000 queries),
 *  5. one 5 MB message on its own connection while small queries run.
 *
 *  6. a fresh start on an empty data directory (until /ready), and `start --workers N` on
 *     Redis + PostgreSQL,
 * and the targets of issue #12 against them (gateway CPU per query as a multiple of libxmlsec1's
 * four XML-DSig operations on the same messages, added p99, RSS, the 5 MB message, start time).
 *
 * Options: --soak N (default 100 000)  --duration S (per load level, default 8)  --levels 1,8,32,64
 *          --workers N (default 2)  --skip stages,native,embedded,pg,workers,split,unsigned,large,soak,profile,start
 *          --stage-ms MS (default 1000)
 *          --database-url URL (default postgres://postgres@127.0.0.1:5432/test)
 *          --redis-url URL (default redis://127.0.0.1:6379)  --out FILE
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadJob, LoadResult } from './entries/load.js';
import { SqliteProtocolStore } from '../src/protocol/sqlite-store.js';
import { RESULTS_DIR, ROOT, fmt, machineCpu, table } from './lib/common.js';
import { summarizeProfile } from './lib/cpuprofile.js';
import { measureCryptoBound, type CryptoBound } from './lib/crypto-bound.js';
import { runNative, type NativeResults } from './lib/native.js';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS, ProcessWatch, buildForBench, command, memoryOf, runLoad, startChild, type Child, type MemoryReport } from './lib/procs.js';
import { loadBenchPki } from './lib/security-wiring.js';
import { prepareMaterial, runStages, type StageResult } from './lib/stages.js';
import { detectWiring } from './lib/wiring.js';

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
function opt(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0 && argv[i + 1] !== undefined) return argv[i + 1] as string;
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}
const SOAK = Number(opt('soak', '100000'));
const WORKERS = Number(opt('workers', '2'));
const DURATION_MS = Number(opt('duration', '8')) * 1000;
const LEVELS = opt('levels', '1,8,32,64').split(',').map(Number).filter((n) => n > 0);
const SKIP = new Set(opt('skip', '').split(',').filter(Boolean));
const STAGE_MS = Number(opt('stage-ms', '1000'));
const DATABASE_URL = opt('database-url', process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test');
const REDIS_URL = opt('redis-url', process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const OUT = path.resolve(opt('out', path.join(RESULTS_DIR, 'latest.json')));
const LARGE_BYTES = 5 * 1024 * 1024;

const log = (s = ''): void => console.log(s);
const section = (s: string): void => log(`\n=== ${s} ${'='.repeat(Math.max(0, 90 - s.length))}`);
const started = new Date();

// ---------------------------------------------------------------- machine
function machine(): Record<string, string | number> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown';
  let free = '';
  try {
    free = execSync('free -h', { encoding: 'utf8' }).trim();
  } catch { /* no procps */ }
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: model,
    memTotalGb: Math.round(os.totalmem() / 1e9),
    free,
    node: process.version,
    kernel: os.release(),
  };
}

// ---------------------------------------------------------------- whole path
interface LevelResult {
  kind: 'closed' | 'open';
  concurrency?: number;
  rate?: number;
  gateway: LoadResult;
  register?: LoadResult;
  gatewayCpuPerQueryMs: number;
  simulatorCpuPerQueryMs: number;
  loadCpuPerQueryMs: number;
  gatewayCpuUtil: number;
  /** CPU-derived capacity of one gateway process: 1000 / gateway CPU ms per query */
  cpuCapacityQps: number;
  /** cores busy with processes outside the bench (other sessions' tests, PostgreSQL, Redis) */
  otherCores: number;
  machineCores: number;
  gatewayPeakRssMb: number;
  added: { p50: number; p95: number; p99: number };
  /** mean wall ms per pipeline stage from the gateway's /metrics (register = queue + round trip) */
  stageMeansMs: Record<string, number>;
}

interface ConfigRun {
  name: string;
  env: Record<string, string>;
  ready?: Record<string, unknown>;
  levels: LevelResult[];
  bestThroughput: number;
  open?: LevelResult;
  large?: { without: LoadResult; with: LoadResult; ratio: number; gatewayPeakRssMb: number; coresWithout: Record<string, number>; coresWith: Record<string, number> };
  soak?: SoakResult;
  peakRssMb: number;
  /** RSS right after start, and after the warm-up */
  idleRssMb?: number;
  warmRssMb?: number;
  hwmMb?: number;
  error?: string;
  notes: string[];
}

interface SoakResult {
  queries: number;
  errors: number;
  throughput: number;
  peakRssMb: number;
  rssAt: Array<{ queries: number; rssMb: number }>;
  firstWindowMb: number;
  lastWindowMb: number;
  growthMb: number;
  /** where the memory was at the end (V8 heap spaces and process.memoryUsage, MB) */
  memory?: MemoryReport;
  growthPct: number;
  errorSample?: string;
}

type Procs = { sim: Child<{ pid: number; url: string }>; gw: Child<{ pid: number; url: string; security: string } & Record<string, unknown>>; load: Child<{ pid: number }> };

const wiring = detectWiring();

async function startAll(env: Record<string, string>, execArgv: string[] = []): Promise<Procs> {
  const security = env['BENCH_SECURITY'] ?? 'signed';
  const sim = await startChild<{ pid: number; url: string }>('simulator.ts', { BENCH_SECURITY: security, BENCH_PKI_DIR: wiring.pkiDir });
  const gw = await startGatewayChild(env, sim.ready.url, execArgv);
  const load = await startChild<{ pid: number }>('load.ts', {});
  return { sim, gw, load };
}

function startGatewayChild(env: Record<string, string>, simUrl: string, execArgv: string[] = []): Promise<Procs['gw']> {
  const entry = env['BENCH_WORKERS'] !== undefined ? 'gateway-cluster.ts' : 'gateway.ts';
  return startChild<{ pid: number; url: string; security: string } & Record<string, unknown>>(entry, {
    BENCH_SECURITY: env['BENCH_SECURITY'] ?? 'signed', BENCH_SIM_URL: simUrl, ...GATEWAY_ENV, ...env,
  }, { execArgv: [...GATEWAY_NODE_FLAGS, ...execArgv], compiled: true });
}

async function stopAll(p: Procs): Promise<void> {
  await Promise.all([p.load.stop(), p.gw.stop(), p.sim.stop()]);
}

/** The gateway's processes: one, or the primary and its workers under `start --workers`. */
function gwPids(p: Procs): number[] {
  return (p.gw.ready['pids'] as number[] | undefined) ?? [p.gw.pid];
}

function signedOf(p: Procs): boolean {
  return p.gw.ready.security !== 'unsigned';
}

function gatewayJob(p: Procs, extra: Partial<LoadJob>): LoadJob {
  return { origin: p.gw.ready.url, path: '/xmeld', shape: 'gateway', signed: signedOf(p), pkiDir: wiring.pkiDir, mode: 'closed', ...extra };
}

function registerJob(p: Procs, extra: Partial<LoadJob>): LoadJob {
  return { origin: p.sim.ready.url, path: '/land/09', shape: 'register', signed: signedOf(p), pkiDir: wiring.pkiDir, mode: 'closed', ...extra };
}

/** Sums and counts of the gateway's per-stage histogram (xmeld_gateway_stage_duration_seconds), if exposed. */
async function stageMetrics(p: Procs): Promise<Map<string, { sum: number; count: number }>> {
  const out = new Map<string, { sum: number; count: number }>();
  try {
    const text = await (await fetch(`${p.gw.ready.url}/metrics`)).text();
    for (const m of text.matchAll(/^xmeld_gateway_stage_duration_seconds_(sum|count)\{stage="([^"]+)"\} ([0-9.eE+-]+)$/gm)) {
      const e = out.get(m[2] as string) ?? { sum: 0, count: 0 };
      if (m[1] === 'sum') e.sum = Number(m[3]);
      else e.count = Number(m[3]);
      out.set(m[2] as string, e);
    }
  } catch { /* no metrics endpoint */ }
  return out;
}

/** Mean wall time per stage (ms) between two scrapes. */
function stageMeans(a: Map<string, { sum: number; count: number }>, b: Map<string, { sum: number; count: number }>): Record<string, number> {
  const r: Record<string, number> = {};
  for (const [k, v] of b) {
    const dc = v.count - (a.get(k)?.count ?? 0);
    if (dc > 0) r[k] = (1000 * (v.sum - (a.get(k)?.sum ?? 0))) / dc;
  }
  return r;
}

/** Runs a gateway phase with CPU and memory accounting of all three processes. */
async function measured(p: Procs, job: LoadJob): Promise<{ r: LoadResult; gwCpu: number; simCpu: number; loadCpu: number; peak: number; wallS: number; machineBusy: number; stages: Record<string, number> }> {
  const s0 = await stageMetrics(p);
  const watch = new ProcessWatch(gwPids(p)).start();
  const m0 = machineCpu();
  const c0 = [watch.cpu(), new ProcessWatch(p.sim.pid).cpu(), new ProcessWatch(p.load.pid).cpu()];
  const t0 = performance.now();
  const r = await runLoad(p.load, job);
  const wallS = (performance.now() - t0) / 1000;
  const c1 = [watch.cpu(), new ProcessWatch(p.sim.pid).cpu(), new ProcessWatch(p.load.pid).cpu()];
  const m1 = machineCpu();
  watch.sample();
  watch.stop();
  const stages = stageMeans(s0, await stageMetrics(p));
  return { stages, r, gwCpu: (c1[0] ?? 0) - (c0[0] ?? 0), simCpu: (c1[1] ?? 0) - (c0[1] ?? 0), loadCpu: (c1[2] ?? 0) - (c0[2] ?? 0), peak: watch.peakRssMb, wallS, machineBusy: m1.busy - m0.busy };
}

function presignFor(throughput: number, ms: number): number {
  return Math.max(200, Math.min(8000, Math.ceil(throughput * (ms / 1000) * 1.5)));
}

function level(kind: 'closed' | 'open', m: Awaited<ReturnType<typeof measured>>, reg: LoadResult | undefined, extra: Partial<LevelResult>): LevelResult {
  const n = Math.max(1, m.r.completed);
  return {
    kind,
    ...extra,
    gateway: m.r,
    ...(reg ? { register: reg } : {}),
    gatewayCpuPerQueryMs: (m.gwCpu * 1000) / n,
    simulatorCpuPerQueryMs: (m.simCpu * 1000) / n,
    loadCpuPerQueryMs: (m.loadCpu * 1000) / n,
    gatewayCpuUtil: m.gwCpu / m.wallS,
    cpuCapacityQps: (1000 * n) / Math.max(1e-9, m.gwCpu * 1000),
    otherCores: (m.machineBusy - m.gwCpu - m.simCpu - m.loadCpu) / m.wallS,
    machineCores: m.machineBusy / m.wallS,
    gatewayPeakRssMb: m.peak,
    stageMeansMs: m.stages,
    added: {
      p50: m.r.latency.p50 - (reg?.latency.p50 ?? 0),
      p95: m.r.latency.p95 - (reg?.latency.p95 ?? 0),
      p99: m.r.latency.p99 - (reg?.latency.p99 ?? 0),
    },
  };
}

async function wholePath(name: string, env: Record<string, string>, opts: { large: boolean; soak: number; levels?: number[]; open?: boolean }): Promise<ConfigRun> {
  const run: ConfigRun = { name, env, levels: [], bestThroughput: 0, peakRssMb: 0, notes: [] };
  section(`whole path: ${name}`);
  let p: Procs;
  try {
    p = await startAll(env);
  } catch (e) {
    run.error = String(e);
    log(`  could not start: ${run.error}`);
    return run;
  }
  const { type: _t, ...ready } = p.gw.ready as Record<string, unknown>;
  run.ready = ready;
  log(`  gateway pid ${p.gw.pid}: security=${String(ready['security'])}, protocol=${String(ready['protocol'])}, queue=${String(ready['queue'])}`);
  const peak = (v: number): void => {
    run.peakRssMb = Math.max(run.peakRssMb, v);
  };
  try {
    run.idleRssMb = new ProcessWatch(gwPids(p)).sample();
    // warm-up: JIT, trust cache, connection pools
    const warm = await runLoad(p.load, gatewayJob(p, { concurrency: 8, durationMs: 3000, presign: 300 }));
    log(`  warm-up: ${fmt(warm.throughput)} q/s, ${warm.errors} errors${warm.errorSample ? ` (${warm.errorSample})` : ''}`);
    if (warm.completed > 0 && warm.errors === warm.completed) {
      run.error = `every warm-up query failed: ${warm.errorSample ?? ''}`;
      return run;
    }
    run.warmRssMb = new ProcessWatch(gwPids(p)).sample();
    log(`  RSS after start ${fmt(run.idleRssMb)} MB, after warm-up ${fmt(run.warmRssMb)} MB`);
    let estimate = Math.max(20, warm.throughput);
    for (const c of opts.levels ?? LEVELS) {
      const m = await measured(p, gatewayJob(p, { concurrency: c, durationMs: DURATION_MS, presign: presignFor(estimate * 1.3, DURATION_MS) }));
      const others = (m.machineBusy - m.gwCpu - m.simCpu - m.loadCpu) / m.wallS;
      const reg = await runLoad(p.load, registerJob(p, { concurrency: c, durationMs: DURATION_MS / 2, presign: presignFor(estimate * 3, DURATION_MS / 2) }));
      const l = level('closed', m, reg, { concurrency: c });
      run.levels.push(l);
      peak(m.peak);
      estimate = Math.max(estimate, m.r.throughput);
      run.bestThroughput = Math.max(run.bestThroughput, m.r.throughput);
      log(`  closed c=${String(c).padStart(2)}: ${fmt(m.r.throughput)} q/s, p50 ${fmt(m.r.latency.p50)} p99 ${fmt(m.r.latency.p99)} ms, `
        + `gw CPU ${fmt(l.gatewayCpuPerQueryMs, 2)} ms/q, other processes ${fmt(others, 2)} cores, register p50 ${fmt(reg.latency.p50)} ms, errors ${m.r.errors}${m.r.errorSample ? ` (${m.r.errorSample})` : ''}`);
    }
    if (opts.open === false) return run;
    // open loop at half the best closed-loop throughput
    const rate = Math.max(1, Math.round(run.bestThroughput / 2));
    const mo = await measured(p, gatewayJob(p, { mode: 'open', rate, durationMs: DURATION_MS * 1.5, presign: presignFor(rate, DURATION_MS * 1.5) }));
    const ro = await runLoad(p.load, registerJob(p, { mode: 'open', rate, durationMs: DURATION_MS, presign: presignFor(rate, DURATION_MS) }));
    run.open = level('open', mo, ro, { rate });
    peak(mo.peak);
    log(`  open ${rate}/s: achieved ${fmt(mo.r.throughput)} q/s, p50 ${fmt(mo.r.latency.p50)} p99 ${fmt(mo.r.latency.p99)} ms; register p99 ${fmt(ro.latency.p99)} ms → added p99 ${fmt(run.open.added.p99)} ms`);

    if (opts.large) {
      // The first message over processing.offloadAboveBytes starts the worker threads (each loads
      // libxml2 and compiles both releases' schemas): measured on its own, then the steady state —
      // small queries open loop at the same rate, without and with one 5 MB message after the other.
      const start = await measured(p, gatewayJob(p, { mode: 'open', rate, durationMs: 4000, presign: presignFor(rate, 4000), large: { bytes: LARGE_BYTES, presign: 1 } }));
      log(`  worker threads started by the first 5 MB message: small p99 ${fmt(start.r.latency.p99)} ms in those 4 s, large messages p50 ${fmt(start.r.large?.latency.p50)} ms`);
      run.notes.push(`the first 5 MB message starts the worker threads: small-query p99 ${fmt(start.r.latency.p99)} ms in those 4 s (not in the 5 MB target, which is the steady state)`);
      const base = await measured(p, gatewayJob(p, { mode: 'open', rate, durationMs: DURATION_MS, presign: presignFor(rate, DURATION_MS) }));
      const withBig = await measured(p, gatewayJob(p, { mode: 'open', rate, durationMs: DURATION_MS, presign: presignFor(rate, DURATION_MS), large: { bytes: LARGE_BYTES, presign: 40 } }));
      // Not counted into the peak-RSS target, which is about a run of ordinary queries (below).
      run.notes.push(`gateway peak RSS with the 5 MB messages: ${fmt(withBig.peak)} MB (not in the peak-RSS target)`);
      const ratio = withBig.r.latency.p99 / base.r.latency.p99;
      // Cores each process used: on a machine of two, whether the machine or the gateway is the limit.
      const cores = (m: typeof base): Record<string, number> => ({
        gateway: m.gwCpu / m.wallS, simulator: m.simCpu / m.wallS, load: m.loadCpu / m.wallS, machine: m.machineBusy / m.wallS,
      });
      run.large = { without: base.r, with: withBig.r, ratio, gatewayPeakRssMb: withBig.peak, coresWithout: cores(base), coresWith: cores(withBig) };
      const big = withBig.r.large;
      const c0 = cores(base);
      const c1 = cores(withBig);
      log(`  5 MB: small p99 ${fmt(base.r.latency.p99)} → ${fmt(withBig.r.latency.p99)} ms (×${fmt(ratio, 2)}); large: ${big?.sent ?? 0} sent, `
        + `p50 ${fmt(big?.latency.p50)} ms, ${big?.errors ?? 0} not a hit${big?.errorSample ? ` (${big.errorSample})` : ''}; gateway peak RSS ${fmt(withBig.peak)} MB`);
      log(`  cores busy without → with: gateway ${fmt(c0['gateway'], 2)} → ${fmt(c1['gateway'], 2)}, simulator ${fmt(c0['simulator'], 2)} → ${fmt(c1['simulator'], 2)}, `
        + `load ${fmt(c0['load'], 2)} → ${fmt(c1['load'], 2)}, machine ${fmt(c0['machine'], 2)} → ${fmt(c1['machine'], 2)} of ${os.cpus().length}`);
    }

    if (opts.soak > 0) {
      if (opts.large) {
        // The 5 MB messages leave WASM memory behind that never shrinks: the soak gets a fresh gateway.
        await p.gw.stop();
        p.gw = await startGatewayChild(env, p.sim.ready.url);
        await runLoad(p.load, gatewayJob(p, { concurrency: 8, durationMs: 3000, presign: 300 }));
        log(`  fresh gateway for the soak (pid ${p.gw.pid}), RSS after warm-up ${fmt(new ProcessWatch(gwPids(p)).sample())} MB`);
      }
      const watch = new ProcessWatch(gwPids(p), 250).start();
      const rssAt: Array<{ queries: number; rssMb: number }> = [];
      const every = 1000;
      log(`  soak: ${opts.soak} queries at c=32 (messages signed on the fly by the load process)…`);
      const t0 = performance.now();
      const r = await runLoad(p.load, gatewayJob(p, { concurrency: 32, count: opts.soak, progressEvery: every, presign: 0 }), (done) => {
        rssAt.push({ queries: done, rssMb: watch.sample() });
        if (done % 10_000 === 0) log(`    ${done} queries, RSS ${fmt(rssAt[rssAt.length - 1]?.rssMb)} MB, ${fmt((done * 1000) / (performance.now() - t0))} q/s`);
      });
      watch.stop();
      const win = Math.min(10_000, opts.soak);
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      const first = mean(rssAt.filter((x) => x.queries <= win).map((x) => x.rssMb));
      const last = mean(rssAt.filter((x) => x.queries > opts.soak - win).map((x) => x.rssMb));
      run.soak = {
        queries: r.completed, errors: r.errors, throughput: r.throughput, peakRssMb: watch.peakRssMb, rssAt,
        firstWindowMb: first, lastWindowMb: last, growthMb: last - first, growthPct: (100 * (last - first)) / first,
        ...(r.errorSample ? { errorSample: r.errorSample } : {}),
      };
      peak(watch.peakRssMb);
      log(`  soak: ${r.completed} queries, ${r.errors} errors, ${fmt(r.throughput)} q/s; RSS first ${win} ${fmt(first)} MB, last ${win} ${fmt(last)} MB, peak ${fmt(watch.peakRssMb)} MB`);
      const mem = await memoryOf(p.gw);
      if (mem !== undefined) {
        run.soak.memory = mem;
        const u = mem.usage;
        log(`  memory after the soak: rss ${u['rss']} MB = V8 heap ${u['heapTotal']} MB (used ${u['heapUsed']}; new space ${mem.spaces['new_space']}, old ${mem.spaces['old_space']}, code ${mem.spaces['code_space']})`
          + ` + external ${u['external']} MB (array buffers ${u['arrayBuffers']}, WASM memory among them) + the rest (code, stacks, malloc)`);
      }
    }
    try {
      run.hwmMb = new ProcessWatch(gwPids(p)).hwmMb();
      peak(run.hwmMb);
    } catch { /* gone */ }
  } catch (e) {
    run.error = String(e instanceof Error ? e.stack : e);
    log(`  failed: ${run.error}`);
  } finally {
    await stopAll(p);
  }
  return run;
}

async function profileRun(name: string, env: Record<string, string>): Promise<unknown> {
  section(`CPU profile of the gateway (${name}, closed loop c=32, after warm-up)`);
  const keep = path.join(RESULTS_DIR, `gateway-${name}.cpuprofile`);
  const p = await startAll(env);
  let r: LoadResult | undefined;
  try {
    await runLoad(p.load, gatewayJob(p, { concurrency: 8, durationMs: 3000, presign: 300 }));
    await command(p.gw, { type: 'prof-start' }, 'prof-started');
    r = await runLoad(p.load, gatewayJob(p, { concurrency: 32, durationMs: DURATION_MS, presign: 1500 }));
    await command(p.gw, { type: 'prof-stop', file: keep }, 'prof-done');
  } finally {
    await stopAll(p);
  }
  const s = summarizeProfile(keep, 20);
  log(`  ${fmt(r?.throughput)} q/s while profiling, ${fmt(s.totalMs / 1000)} s profiled; saved ${path.relative(ROOT, keep)} (open in Chrome DevTools)`);
  log('\n  time by area (innermost library / project folder on the stack):');
  log(table(['area', 'ms', '%'], s.byArea.slice(0, 14).map((a) => [a.area, fmt(a.ms, 0), fmt(a.pct)])));
  log('\n  top self time:');
  log(table(['function', 'where', 'self ms', '%'], s.self.slice(0, 15).map((e) => [e.name, e.where, fmt(e.selfMs, 0), fmt(e.selfPct)])));
  log('\n  project functions, inclusive:');
  log(table(['function', 'where', 'incl ms', '%'], s.inclusive.slice(0, 15).map((e) => [e.name, e.where, fmt(e.totalMs, 0), fmt(e.totalPct)])));
  return { throughput: r?.throughput, ...s };
}

/**
 * A data directory for the embedded store (SQLite), created beforehand, as a gateway that ran
 * before finds it. (A first start costs the SQLite store about 10 ms, measured.)
 */
async function embeddedDataDir(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-bench-sqlite-'));
  const store = await SqliteProtocolStore.open({ dataDir: dir });
  await store.close();
  return dir;
}

// ---------------------------------------------------------------- fresh start
interface StartRun { listeningMs: number; readyMs: number; rssMb: number }
interface StartResult { runs: StartRun[]; medianReadyMs: number; error?: string }

/**
 * A gateway started on an empty data directory (the embedded store is created), timed from the
 * fork until /ready answers 200 — what an operator waits for after `start` on a new machine.
 */
async function freshStarts(env: Record<string, string>, n = 3): Promise<StartResult> {
  section('6. fresh start on an empty data directory (fork → /ready 200)');
  const runs: StartRun[] = [];
  const sim = await startChild<{ pid: number; url: string }>('simulator.ts', { BENCH_SECURITY: 'signed', BENCH_PKI_DIR: wiring.pkiDir });
  try {
    for (let i = 0; i < n; i++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-bench-fresh-'));
      const t0 = performance.now();
      const gw = await startGatewayChild({ ...env, BENCH_DATA_DIR: dir }, sim.ready.url);
      const listeningMs = performance.now() - t0;
      let readyMs = NaN;
      try {
        while (performance.now() - t0 < 20_000) {
          const r = await fetch(`${gw.ready.url}/ready`).catch(() => undefined);
          if (r?.status === 200) {
            readyMs = performance.now() - t0;
            break;
          }
          await new Promise((res) => setTimeout(res, 10));
        }
        const rssMb = new ProcessWatch(gw.pid).sample();
        runs.push({ listeningMs, readyMs, rssMb });
        log(`  start ${i + 1}: listening after ${fmt(listeningMs, 0)} ms, /ready 200 after ${fmt(readyMs, 0)} ms, RSS ${fmt(rssMb)} MB`);
      } finally {
        await gw.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } catch (e) {
    return { runs, medianReadyMs: NaN, error: String(e) };
  } finally {
    await sim.stop();
  }
  const sorted = runs.map((r) => r.readyMs).sort((a, b) => a - b);
  return { runs, medianReadyMs: sorted[Math.floor(sorted.length / 2)] ?? NaN };
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const result: Record<string, unknown> = { started: started.toISOString(), options: { SOAK, DURATION_MS, LEVELS, skip: [...SKIP] } };
  section('machine');
  const mach = machine();
  result['machine'] = mach;
  const load = os.loadavg();
  result['loadavgAtStart'] = load;
  if ((load[0] ?? 0) > Number(mach['nproc'])) log(`  (!) load average ${load.map((l) => l.toFixed(1)).join(' ')} on ${mach['nproc']} cores: other processes compete; see the 'other cores' column`);
  log(`  ${mach['cpuModel']} — nproc ${mach['nproc']}, ${mach['memTotalGb']} GB, Node ${mach['node']}, Linux ${mach['kernel']}`);
  log(`  wiring: security ${wiring.configured ? 'from config/default.yaml' : 'bench keys (bench override)'}, test PKI ${path.relative(ROOT, wiring.pkiDir) || wiring.pkiDir}`);
  result['wiring'] = wiring;
  // The gateway runs compiled, as in production (see bench/lib/procs.ts).
  log('  compiling src/ and bench/ into .bench-build (tsconfig.bench.json) for the gateway process');
  buildForBench();

  // 1. crypto bound
  section('1. crypto bound');
  const bound: CryptoBound = measureCryptoBound(2000);
  result['cryptoBound'] = bound;
  log(table(['operation (node:crypto, 1 thread)', 'per second', 'µs'], [
    ['RSA-2048 sign (sha256)', fmt(bound.rsaSignPerSec, 0), fmt(1e6 / bound.rsaSignPerSec)],
    ['RSA-2048 verify', fmt(bound.rsaVerifyPerSec, 0), fmt(1e6 / bound.rsaVerifyPerSec)],
    ['ECDSA P-256 sign', fmt(bound.ecSignPerSec, 0), fmt(1e6 / bound.ecSignPerSec)],
    ['ECDSA P-256 verify', fmt(bound.ecVerifyPerSec, 0), fmt(1e6 / bound.ecVerifyPerSec)],
  ]));
  log(`  bound = ${fmt(bound.rsaSignPerSec, 0)} sig/s ÷ ${bound.signaturesPerQuery} sig/query × ${bound.cores} cores = ${fmt(bound.boundQps, 0)} queries/s`);

  // 3. stages (in-process, before any load so nothing competes)
  const pki = await loadBenchPki(wiring.pkiDir);
  let stages: StageResult[] = [];
  let native: NativeResults | undefined;
  if (!SKIP.has('stages')) {
    section('3. per-stage costs (in-process, µs per operation)');
    const material = await prepareMaterial(pki);
    stages = await runStages(pki, material, { ms: STAGE_MS, databaseUrl: DATABASE_URL, log });
    if (!SKIP.has('native')) {
      log('  … libxml2 (xmllint) and libxmlsec1 (python3-xmlsec) on the same messages');
      native = runNative(material, wiring.pkiDir, STAGE_MS / 1000);
      for (const pr of native.problems) log(`  (!) ${pr}`);
    }
    rmSync(material.dir, { recursive: true, force: true });
  }
  result['stages'] = stages;
  result['native'] = native;

  // 2./4./5. whole path
  const embeddedDir = await embeddedDataDir();
  const configs: ConfigRun[] = [];
  const embeddedEnv = { BENCH_DATA_DIR: embeddedDir, DATABASE_URL: '', REDIS_URL: '' };
  const pgSchema = `bench_gw_${process.pid}`;
  const redisPrefix = `xmeld-bench-${process.pid}`;
  const pgEnv = { REDIS_URL, DATABASE_URL, BENCH_PG_SCHEMA: pgSchema, BENCH_REDIS_PREFIX: redisPrefix };
  const cleanup = (): void => {
    try {
      execSync(`psql "${DATABASE_URL}" -qc 'DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE'`, { stdio: 'ignore' });
    } catch { /* psql missing: the schema stays */ }
    try {
      execSync(`redis-cli -u "${REDIS_URL}" --scan --pattern '${redisPrefix}*' | xargs -r redis-cli -u "${REDIS_URL}" del`, { stdio: 'ignore', shell: '/bin/sh' });
    } catch { /* redis-cli missing: the keys stay */ }
  };
  if (!SKIP.has('embedded')) {
    configs.push(await wholePath('embedded defaults (SQLite, existing data dir, memory queue)', embeddedEnv, { large: !SKIP.has('large'), soak: SKIP.has('soak') ? 0 : SOAK }));
  }
  if (!SKIP.has('pg')) {
    configs.push(await wholePath('Redis + PostgreSQL', pgEnv, { large: false, soak: 0 }));
    cleanup();
  }
  if (!SKIP.has('pg') && !SKIP.has('workers') && WORKERS > 1) {
    configs.push(await wholePath(`Redis + PostgreSQL, start --workers ${WORKERS}`, { ...pgEnv, BENCH_WORKERS: String(WORKERS) }, { large: false, soak: 0 }));
    cleanup();
  }
  if (!SKIP.has('pg') && !SKIP.has('split')) {
    // each half of the scale-out path alone: what PostgreSQL costs, and what BullMQ/Redis costs
    const d = await embeddedDataDir();
    configs.push(await wholePath('PostgreSQL store, memory queue (comparison only)', { ...pgEnv, REDIS_URL: '' }, { large: false, soak: 0, levels: [8], open: false }));
    cleanup();
    configs.push(await wholePath('SQLite store, BullMQ queue (comparison only)', { ...pgEnv, DATABASE_URL: '', BENCH_DATA_DIR: d }, { large: false, soak: 0, levels: [8], open: false }));
    cleanup();
    rmSync(d, { recursive: true, force: true });
  }
  if (!SKIP.has('unsigned') && !SKIP.has('embedded')) {
    // the same gateway with signatures off (security.required: false): what the security step costs
    const d = await embeddedDataDir();
    configs.push(await wholePath('embedded, unsigned (comparison only)', { ...embeddedEnv, BENCH_DATA_DIR: d, BENCH_SECURITY: 'unsigned' }, { large: false, soak: 0, levels: [8, 32], open: false }));
    rmSync(d, { recursive: true, force: true });
  }
  rmSync(embeddedDir, { recursive: true, force: true });
  result['wholePath'] = configs;
  let start: StartResult | undefined;
  if (!SKIP.has('start') && !SKIP.has('embedded')) start = await freshStarts(embeddedEnv);
  result['freshStart'] = start;
  if (!SKIP.has('profile')) {
    const profiles: Record<string, unknown> = {};
    if (!SKIP.has('embedded')) {
      const d = await embeddedDataDir();
      try {
        profiles['embedded'] = await profileRun('embedded', { ...embeddedEnv, BENCH_DATA_DIR: d });
      } catch (e) {
        profiles['embedded'] = { error: String(e) };
      }
      rmSync(d, { recursive: true, force: true });
    }
    if (!SKIP.has('pg')) {
      try {
        profiles['postgresql'] = await profileRun('postgresql', pgEnv);
      } catch (e) {
        profiles['postgresql'] = { error: String(e) };
      }
      cleanup();
    }
    result['profile'] = profiles;
  }

  report(result, bound, stages, native, configs, start);
  result['finished'] = new Date().toISOString();
  result['loadavgAtEnd'] = os.loadavg();
  writeFileSync(OUT, `${JSON.stringify(result, null, 1)}\n`);
  log(`\nresults written to ${path.relative(ROOT, OUT)}`);
}

/** The four XML-DSig operations of one query (verify 1330, sign forward, verify 1331, sign answer), µs. */
const FOUR_OPS: Array<[string, string, string]> = [
  ['verify (verifyEnvelope)', '1330 RSA', 'verify 1330 RSA'],
  ['sign (signEnvelope, gateway key)', '1330 forward', 'sign 1330 forward'],
  ['verify (verifyEnvelope)', '1331 P-256', 'verify 1331 P-256'],
  ['sign (signEnvelope, gateway key)', '1331 answer', 'sign 1331 answer'],
];

function fourOps(stages: StageResult[], native: NativeResults | undefined): { oursUs: number; theirsUs: number } {
  const py = native?.xmlsec as Record<string, number> | undefined;
  let oursUs = 0;
  let theirsUs = 0;
  for (const [stage, message, key] of FOUR_OPS) {
    oursUs += stages.find((s) => s.stage === stage && s.message === message)?.usPerOp ?? NaN;
    theirsUs += py?.[key] ?? NaN;
  }
  return { oursUs, theirsUs };
}

/** The closed-loop level with the best throughput: the gateway's CPU per query where it is busiest. */
function busiest(c: ConfigRun | undefined): LevelResult | undefined {
  return c?.levels.reduce<LevelResult | undefined>((best, l) => (best === undefined || l.gateway.throughput > best.gateway.throughput ? l : best), undefined);
}

function report(result: Record<string, unknown>, bound: CryptoBound, stages: StageResult[], native: NativeResults | undefined, configs: ConfigRun[], start: StartResult | undefined): void {
  const four = fourOps(stages, native);
  section('2. whole path (gateway, simulator and load generator in separate processes)');
  for (const c of configs) {
    log(`\n  ${c.name}${c.ready ? ` — security ${String(c.ready['security'])}, ${String(c.ready['protocol'])}, queue ${String(c.ready['queue'])}` : ''}`);
    if (c.error) log(`  ERROR: ${c.error}`);
    const mem = c.ready?.['memoryMb'] as Record<string, number> | undefined;
    if (mem) log(`  gateway memory at start: RSS ${mem['rssBeforeStart']} MB with all modules loaded → ${mem['rssAfterStart']} MB after startGateway (JS heap ${mem['heapUsed']} MB, external ${mem['external']} MB)`);
    log(`  gateway RSS: after start ${fmt(c.idleRssMb)} MB, after warm-up ${fmt(c.warmRssMb)} MB, peak ${fmt(c.peakRssMb)} MB (VmHWM ${fmt(c.hwmMb)} MB)`);
    const rows = [...c.levels, ...(c.open ? [c.open] : [])].map((l) => [
      l.kind === 'closed' ? `closed c=${l.concurrency}` : `open ${l.rate}/s`,
      fmt(l.gateway.throughput), fmt((100 * l.gateway.throughput) / bound.boundQps), fmt(l.gateway.latency.p50), fmt(l.gateway.latency.p95), fmt(l.gateway.latency.p99),
      fmt(l.register?.latency.p50), fmt(l.register?.latency.p99), fmt(l.added.p50), fmt(l.added.p99),
      fmt(l.gatewayCpuPerQueryMs, 2), fmt(100 * l.gatewayCpuUtil, 0), fmt(l.cpuCapacityQps, 0), fmt(l.simulatorCpuPerQueryMs, 2), fmt(l.machineCores, 2), fmt(l.otherCores, 2), fmt(l.gatewayPeakRssMb, 0), String(l.gateway.errors),
    ]);
    log(table(['load', 'q/s', '% bound', 'p50', 'p95', 'p99', 'reg p50', 'reg p99', 'added p50', 'added p99', 'gw CPU ms/q', 'gw CPU %', 'q/s/core*', 'sim CPU ms/q', 'busy cores', 'other cores', 'gw RSS MB', 'errors'], rows));
    if (Number.isFinite(four.theirsUs)) {
      log(`  gateway CPU per query ÷ libxmlsec1's four operations (${fmt(four.theirsUs / 1000, 2)} ms): `
        + [...c.levels, ...(c.open ? [c.open] : [])].map((l) => `${l.kind === 'closed' ? `c=${l.concurrency}` : `open ${l.rate}/s`} ×${fmt((1000 * l.gatewayCpuPerQueryMs) / four.theirsUs, 2)}`).join(', '));
    }
    log('  * q/s/core = 1000 / gateway CPU ms per query: what one gateway process does with a core of its own.'
      + ' busy cores = whole machine; other cores = processes outside the bench (other tests, PostgreSQL, Redis)');
    const stageNames = [...new Set([...c.levels, ...(c.open ? [c.open] : [])].flatMap((l) => Object.keys(l.stageMeansMs)))];
    if (stageNames.length > 0) {
      log('  mean wall ms per query and stage, from the gateway\'s own /metrics (xmeld_gateway_stage_duration_seconds); "register" = queue + round trip:');
      log(table(['load', 'total mean', ...stageNames, 'total − register'], [...c.levels, ...(c.open ? [c.open] : [])].map((l) => [
        l.kind === 'closed' ? `closed c=${l.concurrency}` : `open ${l.rate}/s`, fmt(l.gateway.latency.mean),
        ...stageNames.map((n) => fmt(l.stageMeansMs[n], 2)), fmt(l.gateway.latency.mean - (l.stageMeansMs['register'] ?? NaN)),
      ])));
    }
    if (c.large) {
      log(table(['5 MB message', 'small p50', 'small p99', 'large sent', 'large p50', 'large status'], [
        ['without', fmt(c.large.without.latency.p50), fmt(c.large.without.latency.p99), '–', '–', '–'],
        ['with', fmt(c.large.with.latency.p50), fmt(c.large.with.latency.p99), String(c.large.with.large?.sent ?? 0), fmt(c.large.with.large?.latency.p50),
          `${c.large.with.large?.status ?? '–'}${c.large.with.large?.errorSample ? ` ${c.large.with.large.errorSample}` : ''}`],
      ]));
    }
    if (c.soak) {
      const s = c.soak;
      log(table(['soak', 'queries', 'errors', 'q/s', 'RSS first 10k MB', 'RSS last 10k MB', 'growth MB', 'peak RSS MB'], [
        [c.name.split(' ')[0] ?? '', String(s.queries), String(s.errors), fmt(s.throughput), fmt(s.firstWindowMb), fmt(s.lastWindowMb), fmt(s.growthMb), fmt(s.peakRssMb)],
      ]));
    }
  }

  section('3. per-stage costs: ours (libxml2-wasm, node:crypto) vs libxml2/libxmlsec1 native');
  const theirs = (s: StageResult): { us?: number; what: string } => {
    const x = native?.xmllint;
    const py = native?.xmlsec as Record<string, number> | undefined;
    if (s.stage.startsWith('parse')) {
      const v = py?.[`parse ${s.message}`];
      return v !== undefined ? { us: v, what: 'lxml parse' } : { us: x?.parseUs[s.message], what: 'xmllint parse' };
    }
    if (s.stage.startsWith('xsd')) return { us: x?.validateUs[s.message], what: 'xmllint --schema (minus parse)' };
    if (s.stage.startsWith('verify (')) return { us: py?.[`verify ${s.message}`], what: 'xmlsec verify (incl. parse)' };
    if (s.stage.startsWith('verify+trust')) return { us: py?.[`verify ${s.message}`], what: 'xmlsec verify (no trust)' };
    if (s.stage.startsWith('sign')) return { us: py?.[`sign ${s.message}`], what: 'lxml+xmlsec sign+serialize' };
    if (s.stage.startsWith('normalize') && s.message.includes('verify')) {
      const a = py?.['verify 1331 P-256'];
      const v = x?.validateUs['1331'];
      return a !== undefined && v !== undefined ? { us: a + v, what: 'xmlsec verify + xmllint validate' } : { what: '' };
    }
    return { what: '' };
  };
  const rows = stages.map((s) => {
    const t = theirs(s);
    return [s.stage, s.message, fmt(s.usPerOp), t.us !== undefined ? fmt(t.us) : '–', t.us ? fmt(s.usPerOp / t.us, 2) : '–', t.what];
  });
  log(table(['stage', 'message', 'ours µs', 'theirs µs', 'ours/theirs', 'theirs ='], rows));
  log(`  the four XML-DSig operations of a query (verify 1330, sign forward, verify 1331, sign answer): ours ${fmt(four.oursUs / 1000, 2)} ms, `
    + `libxmlsec1 ${fmt(four.theirsUs / 1000, 2)} ms (×${fmt(four.oursUs / four.theirsUs, 2)})`);
  result['fourOperations'] = four;
  if (native?.xmllint) log(`  ${native.xmllint.version}; xmllint process spawn ${fmt(native.xmllint.spawnMs, 2)} ms (cancelled out: N-file run minus 1-file run)`);
  result['stageComparison'] = stages.map((s) => ({ ...s, theirs: theirs(s) }));

  section('targets (issue #12)');
  const emb = configs.find((c) => c.name.startsWith('embedded defaults'));
  const pg = configs.find((c) => c.name === 'Redis + PostgreSQL');
  const workers = configs.find((c) => c.name.includes('--workers'));
  const targets: Array<{ target: string; measured: string; pass: boolean | null }> = [];
  for (const c of [emb, pg]) {
    const l = busiest(c);
    const label = c === emb ? 'embedded' : 'Redis+PostgreSQL';
    if (c === undefined || l === undefined || !Number.isFinite(four.theirsUs)) {
      targets.push({ target: `gateway CPU per query ≤ 1.5× libxmlsec1's four operations (${label})`, measured: 'not run', pass: null });
      continue;
    }
    const ratio = (1000 * l.gatewayCpuPerQueryMs) / four.theirsUs;
    targets.push({
      target: `gateway CPU per query ≤ 1.5× libxmlsec1's four operations (${label})`,
      measured: `${fmt(l.gatewayCpuPerQueryMs, 2)} ms at c=${l.concurrency} = ×${fmt(ratio, 2)} of ${fmt(four.theirsUs / 1000, 2)} ms`,
      pass: ratio <= 1.5,
    });
  }
  for (const c of [emb, pg]) {
    if (!c?.open) continue;
    targets.push({
      target: `added p99 ≤ 15 ms at half throughput (${c === emb ? 'embedded' : 'Redis+PostgreSQL'})`,
      measured: `${fmt(c.open.added.p99)} ms (gateway p99 ${fmt(c.open.gateway.latency.p99)} − register p99 ${fmt(c.open.register?.latency.p99)}) at ${c.open.rate}/s`,
      pass: c.open.added.p99 <= 15,
    });
  }
  if (emb?.soak) {
    const s = emb.soak;
    targets.push({ target: `peak RSS ≤ 200 MB during the soak (embedded, ${s.queries} queries)`, measured: `${fmt(s.peakRssMb)} MB`, pass: s.peakRssMb <= 200 });
    targets.push({ target: 'RSS first → last 10 000 queries within ±5 %', measured: `${fmt(s.firstWindowMb)} → ${fmt(s.lastWindowMb)} MB (${fmt(s.growthPct)} %)`, pass: Math.abs(s.growthPct) <= 5 });
  } else {
    targets.push({ target: 'peak RSS ≤ 200 MB during the soak (embedded)', measured: 'not run', pass: null });
  }
  for (const c of [pg, workers]) {
    if (c === undefined) continue;
    targets.push({ target: `peak RSS ≤ 200 MB per process (${c.name})`, measured: `${fmt(c.peakRssMb)} MB`, pass: c.error === undefined ? c.peakRssMb <= 200 : null });
  }
  if (emb?.large) {
    targets.push({ target: '5 MB message raises small-query p99 ≤ 1.5×', measured: `×${fmt(emb.large.ratio, 2)} (${fmt(emb.large.without.latency.p99)} → ${fmt(emb.large.with.latency.p99)} ms)`, pass: emb.large.ratio <= 1.5 });
  }
  if (start !== undefined) {
    targets.push({
      target: 'fresh start on an empty data directory ready < 2 s',
      measured: start.error ?? `median ${fmt(start.medianReadyMs, 0)} ms (${start.runs.map((r) => fmt(r.readyMs, 0)).join(', ')} ms)`,
      pass: start.error === undefined ? start.medianReadyMs < 2000 : null,
    });
  }
  log(table(['target', 'measured', 'result'], targets.map((t) => [t.target, t.measured, t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL'])));
  if (workers !== undefined && pg !== undefined) {
    const w = busiest(workers);
    const one = busiest(pg);
    log(`  start --workers ${WORKERS} (Redis + PostgreSQL): best ${fmt(workers.bestThroughput)} q/s (one process ${fmt(pg.bestThroughput)} q/s), `
      + `CPU ${fmt(w?.gatewayCpuPerQueryMs, 2)} ms/q (one process ${fmt(one?.gatewayCpuPerQueryMs, 2)}), peak RSS per process ${fmt(workers.peakRssMb)} MB${workers.error ? `; ERROR ${workers.error}` : ''}`);
  }
  log(`  crypto bound (informational): ${fmt(bound.boundQps, 0)} q/s; embedded best ${fmt(emb?.bestThroughput)} q/s`);
  result['targets'] = targets;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
