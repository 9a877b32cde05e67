/**
 * Child processes of the bench (gateway, simulator, load generator). The gateway runs compiled
 * (.bench-build, plain node) as in production — from source through tsx its process is ~170 MB
 * larger (tsx's loader and libxml2-wasm); the simulator and the load generator run through tsx.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { settleWithin } from '../../src/settle-within.js';
import { BENCH_DIR, ROOT, cpuSeconds, memoryMb, sleep } from './common.js';
import type { LoadJob, LoadResult } from '../entries/load.js';

const BUILD_DIR = '.bench-build';

/** Compiles src/ and bench/ into .bench-build (tsconfig.bench.json) for the compiled gateway. */
export function buildForBench(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bench.json'], { cwd: ROOT, stdio: 'inherit' });
}

export interface Child<R> {
  proc: ChildProcess;
  pid: number;
  ready: R;
  stop(): Promise<void>;
}

/** How production runs the gateway's node (Dockerfile: NODE_OPTIONS and MALLOC_ARENA_MAX): the bench does the same. */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=16'];
export const GATEWAY_ENV = { MALLOC_ARENA_MAX: '2' };

export async function startChild<R extends { pid: number }>(
  entry: string,
  env: Record<string, string | undefined>,
  opts: { execArgv?: string[]; stdout?: 'ignore' | 'inherit'; compiled?: boolean } = {},
): Promise<Child<R>> {
  const file = opts.compiled
    ? path.join(ROOT, BUILD_DIR, 'bench', 'entries', entry.replace(/\.ts$/, '.js'))
    : path.join(BENCH_DIR, 'entries', entry);
  const proc = fork(file, [], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    execArgv: [...(opts.compiled ? [] : ['--import', 'tsx']), ...(opts.execArgv ?? [])],
    stdio: ['ignore', opts.stdout ?? 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<R>((resolve, reject) => {
    const onMsg = (m: { type?: string }): void => {
      if (m.type === 'ready') {
        proc.off('message', onMsg);
        resolve(m as unknown as R);
      }
    };
    proc.on('message', onMsg);
    proc.once('exit', (code) => reject(new Error(`${entry} exited with ${code} before it was ready`)));
  });
  return {
    proc,
    pid: ready.pid,
    ready,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.send({ type: 'stop' });
      const timeout = sleep(15_000).then(() => 'timeout');
      if ((await Promise.race([exited.then(() => 'ok'), timeout])) === 'timeout') {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}

let jobId = 0;
/** Runs one job on the load generator; `onProgress` gets completion counts. */
export function runLoad(load: Child<{ pid: number }>, job: LoadJob, onProgress?: (done: number) => void): Promise<LoadResult> {
  const id = ++jobId;
  return new Promise((resolve, reject) => {
    const onMsg = (m: { type: string; id: number; result?: LoadResult; done?: number; error?: string }): void => {
      if (m.id !== id) return;
      if (m.type === 'progress' && m.done !== undefined) onProgress?.(m.done);
      else if (m.type === 'result' && m.result) {
        load.proc.off('message', onMsg);
        resolve(m.result);
      } else if (m.type === 'error') {
        load.proc.off('message', onMsg);
        reject(new Error(m.error));
      }
    };
    load.proc.on('message', onMsg);
    load.proc.send({ type: 'run', id, job });
  });
}

/**
 * Watches a process, or the processes of one gateway under `start --workers` (primary and
 * workers): CPU seconds summed, memory per process (the peak of the largest), with VmRSS sampled
 * every `everyMs`.
 */
export class ProcessWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly pids: number[];
  /** The largest single process's peak VmRSS. */
  peakRssMb = 0;
  samples: Array<{ t: number; rssMb: number }> = [];

  constructor(pids: number | readonly number[], private readonly everyMs = 200) {
    this.pids = typeof pids === 'number' ? [pids] : [...pids];
  }

  start(): this {
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  /** RSS of the largest process now (the figure the per-process targets are about). */
  sample(): number {
    let largest = NaN;
    for (const pid of this.pids) {
      try {
        const { rss } = memoryMb(pid);
        largest = Number.isNaN(largest) ? rss : Math.max(largest, rss);
      } catch { /* gone */ }
    }
    if (Number.isNaN(largest)) return NaN;
    this.peakRssMb = Math.max(this.peakRssMb, largest);
    this.samples.push({ t: Date.now(), rssMb: largest });
    if (this.samples.length > 20_000) this.samples.splice(0, 10_000);
    return largest;
  }

  cpu(): number {
    let sum = 0;
    for (const pid of this.pids) {
      try {
        sum += cpuSeconds(pid);
      } catch { /* gone */ }
    }
    return sum;
  }

  hwmMb(): number {
    return Math.max(...this.pids.map((pid) => memoryMb(pid).hwm));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** Sends a command to a child and waits for its reply of type `replyType`. */
/** Sends `msg` to a child and resolves with its first reply of `replyType`. */
export function command<T = unknown>(child: Child<{ pid: number }>, msg: Record<string, unknown>, replyType: string): Promise<T> {
  return new Promise((resolve) => {
    const onMsg = (m: { type?: string }): void => {
      if (m.type === replyType) {
        child.proc.off('message', onMsg);
        resolve(m as T);
      }
    };
    child.proc.on('message', onMsg);
    child.proc.send(msg);
  });
}

export interface MemoryReport { usage: Record<string, number>; spaces: Record<string, number> }

/** Asks a bench gateway where its memory is (process.memoryUsage and V8's heap spaces, MB); undefined if it does not say within `timeoutMs`. */
export function memoryOf(child: Child<{ pid: number }>, timeoutMs = 5000): Promise<MemoryReport | undefined> {
  return settleWithin(command<MemoryReport>(child, { type: 'memory' }, 'memory-report'), timeoutMs, undefined);
}
