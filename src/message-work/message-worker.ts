/**
 * Entry of a pool worker (piscina): builds the configured message work once, then runs one
 * task at a time. Replay questions go back to the main thread over the task's port.
 */
import { Buffer } from 'node:buffer';
import { parentPort, threadId } from 'node:worker_threads';
import { workerData } from 'piscina';
import type { NormalizedAnswer } from './message-work.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { QueryRefused } from './accept-query.js';
import { createLogger } from '../log/logger.js';
import type { LiveMaterial } from '../reload/live-material.js';
import { buildTrustGeneration } from '../reload/trust-generation.js';
import { createConfiguredWork, inlineMessageWork } from './configured-message-work.js';
import { joinLiveChannel } from './live-channel.js';
import { PortReplayGuard } from './replay-channel.js';
import { refusalToWire, type AcceptResult, type WorkTask } from './work-task.js';
import type { WorkerMemoryReport } from './worker-recycler.js';

const { config, material, liveChannel } = workerData as { config: GatewayConfig; material?: LiveMaterial; liveChannel: string };
const replayGuard = new PortReplayGuard();
// Warnings (TEST PKI, unsigned mode) are the main thread's to give, once.
const log = createLogger(config.log.level === 'silent' ? 'silent' : 'error');
const configured = await createConfiguredWork(config, { log, replayGuard, ...(material ? { material } : {}) });
const { live } = configured;
const work = inlineMessageWork(config, configured);
// A reload switches this thread's parties and signer; see live-channel.ts.
await joinLiveChannel(liveChannel, (next) => live.switchTo(buildTrustGeneration(config, next, { replayGuard })));

export default async function run(task: WorkTask): Promise<AcceptResult | string | NormalizedAnswer | 'pong'> {
  try {
    return await runTask(task);
  } finally {
    // Heap plus WASM memory (counted as this isolate's external memory): the pool recycles a
    // thread that grew past its limit (worker-recycler.ts).
    const m = process.memoryUsage();
    parentPort?.postMessage({ xmeldWorkerMemory: { thread: threadId, mb: Math.round((m.heapUsed + m.external) / 1_048_576) } } satisfies WorkerMemoryReport);
  }
}

async function runTask(task: WorkTask): Promise<AcceptResult | string | NormalizedAnswer | 'pong'> {
  switch (task.op) {
    case 'ping':
      return 'pong';
    case 'sign':
      return work.sign(task.xml);
    case 'accept':
      replayGuard.use(task.replay);
      try {
        return { accepted: await work.accept(Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength), task.clientCertificate) };
      } catch (e) {
        if (e instanceof QueryRefused) return { refused: refusalToWire(e) };
        throw e;
      } finally {
        replayGuard.use(undefined);
        task.replay.close();
      }
    case 'normalize':
      replayGuard.use(task.replay);
      try {
        const body = Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength);
        return await work.normalize({ status: task.status, contentType: task.contentType, body }, task.ctx);
      } finally {
        replayGuard.use(undefined);
        task.replay.close();
      }
  }
}
