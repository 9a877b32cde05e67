import { randomUUID } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { AcceptedQuery } from './accept-query.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { LiveMaterial } from '../reload/live-material.js';
import type { ReplayGuard } from '../security/replay-guard.js';
import { LiveChannelMain } from './live-channel.js';
import type { AnswerContext, MessageWork, NormalizedAnswer } from './message-work.js';
import { answerReplayQuestions } from './replay-channel.js';
import { WorkersOverloadedError } from './overloaded.js';
import { WorkerRecycler } from './worker-recycler.js';
import { refusalFromWire, type AcceptResult, type WorkTask } from './work-task.js';

const WORKER_FILE = new URL(import.meta.url.endsWith('.ts') ? './message-worker-from-source.mjs' : './message-worker.js', import.meta.url);

/**
 * The message work on a pool of worker threads, so the event loop keeps serving HTTP, the
 * queue and the protocol while queries are parsed and signed, and one large message occupies
 * one worker instead of the whole gateway.
 */
export class WorkerPoolMessageWork implements MessageWork {
  private readonly pool: Piscina;
  private readonly maxQueued: number;
  private readonly live: LiveChannelMain;
  private readonly recycler: WorkerRecycler;

  /** `material`: what the main thread read (workers then read no files); without it each worker reads the configuration's files. */
  constructor(
    config: GatewayConfig, private readonly replayGuard: ReplayGuard, threads: number, material?: LiveMaterial,
    onRecycled?: (thread: number, mb: number, why: 'limit' | 'idle') => void,
  ) {
    this.maxQueued = config.processing.maxQueuedPerThread * threads;
    this.live = new LiveChannelMain(`xmeld-live:${randomUUID()}`, material, threads);
    this.recycler = new WorkerRecycler({
      aboveMb: config.processing.recycleWorkerAboveMb, idleMs: config.processing.recycleIdleMs, ...(onRecycled ? { onRecycled } : {}),
    });
    this.pool = new Piscina({
      loadBalancer: this.recycler.balance,
      filename: WORKER_FILE.href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1, // PortReplayGuard relies on it
      // An idle worker must keep its event loop turning to hear a reload (live-channel.ts);
      // 'sync' would block it in Atomics.wait until the next task.
      atomics: 'async',
      workerData: { config, liveChannel: this.live.name, ...(material ? { material } : {}) },
    });
    this.recycler.attach(this.pool);
  }

  /** Resolves once a worker has built its configuration (bad keys or schemas fail here, at start). */
  async ready(): Promise<void> {
    await this.run({ op: 'ping' });
  }

  /** Switches every thread to `material` (a reload); rejects, with every thread back on the old, when one could not. */
  reload(material: LiveMaterial): Promise<void> {
    return this.live.apply(material);
  }

  async accept(raw: Buffer, clientCertificate?: string): Promise<AcceptedQuery> {
    // Shed load at the door (only new messages: answers and faults already under way still run).
    if (this.pool.queueSize >= this.maxQueued) throw new WorkersOverloadedError('queue-full');
    const bytes = new Uint8Array(raw); // a copy of its own, transferred rather than cloned
    const result = await this.withReplay((replay) => this.run(
      { op: 'accept', raw: bytes, replay, ...(clientCertificate ? { clientCertificate } : {}) } satisfies WorkTask,
      { transferList: [bytes.buffer as ArrayBuffer, replay] },
    )) as AcceptResult;
    if ('refused' in result) throw refusalFromWire(result.refused);
    return result.accepted;
  }

  async sign(envelopeXml: string): Promise<string> {
    return await this.run({ op: 'sign', xml: envelopeXml } satisfies WorkTask) as string;
  }

  async normalize(reply: RegisterReply, ctx: AnswerContext): Promise<NormalizedAnswer> {
    const body = new Uint8Array(reply.body);
    return await this.withReplay((replay) => this.run(
      { op: 'normalize', status: reply.status, body, ctx, replay, ...(reply.contentType ? { contentType: reply.contentType } : {}) } satisfies WorkTask,
      { transferList: [body.buffer as ArrayBuffer, replay] },
    )) as NormalizedAnswer;
  }

  async close(): Promise<void> {
    this.recycler.close();
    this.live.close();
    await this.pool.close();
  }

  /** Every task through here, so a worker to be recycled is let go as soon as it is idle. */
  private run(task: WorkTask, options?: Parameters<Piscina['run']>[1]): Promise<unknown> {
    const settled = this.pool.run(task, options);
    void settled.then(() => this.recycler.sweep(), () => this.recycler.sweep());
    return settled;
  }

  private async withReplay<T>(run: (port: MessageChannel['port2']) => Promise<T>): Promise<T> {
    const { port1, port2 } = new MessageChannel();
    answerReplayQuestions(port1, this.replayGuard);
    try {
      return await run(port2);
    } finally {
      port1.close();
    }
  }
}
