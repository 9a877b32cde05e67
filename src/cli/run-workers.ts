import cluster from 'node:cluster';

/**
 * `start --workers N`: N gateway processes share the listening port (node:cluster), so the
 * CPU-bound work of signing and verifying uses every core. Only with Redis and PostgreSQL,
 * whose queues, replay window and protocol chains all instances share; the embedded store
 * belongs to one process. The primary restarts a worker that dies and forwards SIGTERM/SIGINT
 * so each worker drains its requests. SIGHUP (reload) goes to one worker, which tells the
 * others over Redis like any other instance.
 */
export function runWorkers(count: number, log: (line: string) => void, onAllListening?: () => void): void {
  let stopping = false;
  // Until every worker listens, the cluster hands all connections to those that do.
  const listening = new Set<number>();
  cluster.on('listening', (worker) => {
    const before = listening.size;
    listening.add(worker.id);
    if (before < count && listening.size === count) onAllListening?.();
  });
  const fork = (): void => {
    cluster.fork();
  };
  for (let i = 0; i < count; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    listening.delete(worker.id);
    log(`worker ${worker.process.pid} ended (${signal ?? code}); starting another`);
    fork();
  });
  const stop = (sig: NodeJS.Signals): void => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(sig);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => Object.values(cluster.workers ?? {})[0]?.process.kill('SIGHUP'));
}

export const isWorkerProcess = (): boolean => !cluster.isPrimary;
