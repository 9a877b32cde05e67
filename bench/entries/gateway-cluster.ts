/**
 * Bench child process: the gateway as `start --workers N` runs it — N processes sharing one
 * listening port (node:cluster), each the bench gateway entry. Reports over IPC once every worker
 * is ready, with the pids of all processes (the primary's CPU and memory count too).
 *
 * env: BENCH_WORKERS (N, default 2) and everything bench/entries/gateway.ts reads.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';

const count = Number(process.env['BENCH_WORKERS'] ?? '2');
cluster.setupPrimary({ exec: fileURLToPath(new URL('./gateway.js', import.meta.url)) });

const ready = await Promise.all(Array.from({ length: count }, () => new Promise<Record<string, unknown> & { pid: number }>((resolve, reject) => {
  const w: Worker = cluster.fork();
  w.on('message', (m: { type?: string }) => {
    if (m.type === 'ready') resolve(m as Record<string, unknown> & { pid: number });
  });
  w.once('exit', (code) => reject(new Error(`gateway worker exited with ${code} before it was ready`)));
})));
const first = ready[0] as Record<string, unknown>;
process.send?.({ ...first, type: 'ready', pid: process.pid, pids: [process.pid, ...ready.map((r) => r.pid)], workers: count });

process.on('message', (m: { type?: string }) => {
  if (m.type !== 'stop') return;
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  let left = workers.length;
  if (left === 0) process.exit(0);
  for (const w of workers) {
    w.once('exit', () => {
      if (--left === 0) process.exit(0);
    });
    w.send({ type: 'stop' });
  }
});
