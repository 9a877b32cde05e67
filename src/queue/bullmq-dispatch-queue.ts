import { randomUUID } from 'node:crypto';
import { Queue, Worker, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import { isTechnicalFailure, TechnicalFailureError, type TechnicalFailure } from '../errors.js';
import { settleWithin } from '../settle-within.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import type { DispatchHandler, DispatchJob } from './dispatch-job.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { DispatchQueue } from './dispatch-queue.js';
import { DispatchProcessor } from './dispatch-processor.js';
import { GatewayKeys } from './gateway-keys.js';
import { PayloadSealer } from './payload-sealer.js';
import { closeRedisConnections, openRedisConnections, whenReady, type RedisConnections } from './redis-connections.js';
import { ReplyInbox } from './reply-inbox.js';
import { ReplyPublisher } from './reply-publisher.js';
import { TargetBreakers } from './target-breakers.js';
import { TargetStatsTracker, type TargetStats } from './target-stats.js';
import { TargetDirectory } from './target-directory.js';
import { sealJob, type QueuedJobData } from './wire-format.js';

export interface RateLimit {
  /** Jobs started per `durationMs`, across all instances (BullMQ's limiter is per queue). */
  max: number;
  durationMs: number;
}

export interface BullmqDispatchQueueOptions {
  /** Key prefix of every Redis key and channel; distinct per deployment (and per test). Default `xmeld`. */
  prefix?: string;
  /** This gateway instance's id (its reply channel). Default: random per process. */
  instanceId?: string;
  /**
   * AES-256-GCM key (32 bytes, base64 or hex), normally `queue.encryptionKey` (XMELD_QUEUE_KEY).
   * Instances with the same key share queues (and work each other's jobs); instances with
   * different keys use separate queues. Without a key each process draws a random one and so
   * works only its own jobs. See PayloadSealer.
   */
  encryptionKey?: string | Buffer;
  /** Per-target circuit breaker of this instance's dispatches; none when absent. */
  circuitBreaker?: CircuitBreakerOptions;
  /** Optional per-target rate limit. */
  rateLimitOf?: (target: string) => RateLimit | undefined;
  /** Approximate cap of each queue's events stream (which holds job ids and states only). Default 100. */
  eventsMaxLen?: number;
  /** BullMQ job lock; a crashed worker's job is taken over after about this long. Default 30 s. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. Default 30 s. */
  stalledIntervalMs?: number;
  /** Targets whose workers start with `process()` (the configured routes); others start when first seen. */
  targets?: string[];
  /**
   * `instance` (default, like the memory queue): `concurrencyOf` bounds each instance's workers.
   * `cluster`: it also bounds the target's jobs across all instances (BullMQ global concurrency).
   */
  concurrencyScope?: 'instance' | 'cluster';
  /** Longest graceful close() waits for running jobs before it gives up on them. Default 30 s. */
  closeTimeoutMs?: number;
  /** Only content-free warnings are logged (key not configured, key mismatch). */
  log?: Pick<Logger, 'warn'>;
}

/**
 * DispatchQueue on BullMQ/Redis, for several gateway instances sharing the work:
 *
 * - one BullMQ queue (and, on instances that process, one Worker) per target, created lazily,
 *   named per key pool (`land.09@<key id>`): only instances holding the same queue key share it;
 *   concurrency per target from `concurrencyOf` (per instance), optional rate limit per target;
 * - the dispatching instance waits for the reply on its own pub/sub channel, wherever the job
 *   ran, and never past the job's deadline;
 * - nothing of an answer is stored: the worker returns null (BullMQ would keep a return value
 *   in the events stream), replies travel by PUBLISH (not stored), jobs are removed when they
 *   end, the query envelope is sealed (AES-256-GCM) while it waits in Redis.
 */
export class BullmqDispatchQueue implements DispatchQueue {
  readonly instanceId: string;
  readonly keys: GatewayKeys;
  private readonly redis: RedisConnections;
  private readonly sealer: PayloadSealer;
  private readonly breakers: TargetBreakers | undefined;
  private readonly stats = new TargetStatsTracker();
  private readonly inbox: ReplyInbox;
  private readonly directory: TargetDirectory;
  private readonly queues = new Map<string, Queue<QueuedJobData>>();
  private readonly workers = new Map<string, Worker<QueuedJobData>>();
  /** Timers of removals retried after a lock expires (cleared on close). */
  private readonly withdrawals = new Set<NodeJS.Timeout>();
  /** Dispatches of this instance still waiting: job id → target. */
  private readonly waiting = new Map<string, string>();
  private processor: DispatchProcessor | undefined;
  private concurrencyOf: (target: string) => number = () => 16;
  private everReady = false;
  private closing = false;
  private closed: Promise<void> | undefined;

  constructor(redisUrl: string, private readonly opts: BullmqDispatchQueueOptions = {}) {
    this.instanceId = opts.instanceId ?? randomUUID();
    this.keys = new GatewayKeys(opts.prefix ?? 'xmeld');
    this.sealer = new PayloadSealer(PayloadSealer.isConfigured(opts.encryptionKey) ? opts.encryptionKey : undefined);
    if (!PayloadSealer.isConfigured(opts.encryptionKey)) {
      opts.log?.warn('queue key not configured: random per-process key, this instance works only its own jobs');
    }
    this.breakers = opts.circuitBreaker ? new TargetBreakers(opts.circuitBreaker) : undefined;
    this.redis = openRedisConnections(redisUrl, `${this.keys.prefix}:gw:${this.instanceId}`);
    this.inbox = new ReplyInbox(this.redis.subscriber, this.keys.replyChannel(this.instanceId), this.sealer);
    this.directory = new TargetDirectory(this.redis.commands, this.redis.subscriber, this.keys);
    this.redis.commands.on('ready', () => {
      if (this.everReady) this.directory.forget();
      this.everReady = true;
    });
    void this.inbox.start().catch(() => undefined);
  }

  dispatch(job: DispatchJob): Promise<RegisterReply> {
    if (this.closing) return Promise.reject(new TechnicalFailureError('internal'));
    return this.stats.track(job.target, () =>
      this.breakers ? this.breakers.run(job.target, () => this.enqueue(job)) : this.enqueue(job));
  }

  targetStats(): TargetStats[] {
    return this.stats.snapshot(this.breakers);
  }

  process(handler: DispatchHandler, concurrencyOf: (target: string) => number): void {
    if (this.processor !== undefined) throw new Error('process() already called');
    this.concurrencyOf = concurrencyOf;
    this.processor = new DispatchProcessor(handler, this.sealer, new ReplyPublisher(this.redis.commands, this.keys), this.opts.log);
    for (const target of new Set([...(this.opts.targets ?? []), ...this.queues.keys()])) this.startWorker(target);
    void this.directory.watch((target) => this.startWorker(target)).catch(() => undefined);
  }

  async ready(): Promise<boolean> {
    if (this.closing) return false;
    const { commands, subscriber } = this.redis;
    if (commands.status !== 'ready' || subscriber.status !== 'ready') return false;
    try {
      return await withTimeout(commands.ping(), 1_000) === 'PONG';
    } catch {
      return false;
    }
  }

  /**
   * Graceful: stop taking jobs, let this instance's running jobs finish, withdraw its dispatches
   * still waiting in a queue, wait for those already running elsewhere (bounded by their
   * deadlines), then close. `force` behaves like a crash: running handlers are aborted and their
   * jobs left to another instance's stalled-job recovery.
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    this.closed ??= this.shutdown(options.force === true);
    return this.closed;
  }

  private async shutdown(force: boolean): Promise<void> {
    this.closing = true;
    if (force) this.processor?.terminate();
    const workersClosed = Promise.allSettled([...this.workers.values()].map((w) => w.close(force)));
    // Running jobs end by their deadlines; this bound only matters when Redis is gone and
    // BullMQ cannot record their end.
    if (!(await settleWithin(workersClosed.then(() => true), this.opts.closeTimeoutMs ?? 30_000, false))) {
      this.processor?.terminate();
      await Promise.allSettled([...this.workers.values()].map((w) => w.close(true)));
    }
    if (!force) {
      await Promise.allSettled([...this.waiting].map(async ([jobId, target]) => {
        const removed = await this.queues.get(target)?.remove(jobId).catch(() => 0);
        if (removed === 1) this.inbox.settle(jobId, new TechnicalFailureError('internal'));
      }));
      await this.inbox.drained();
    }
    for (const t of this.withdrawals) clearTimeout(t);
    this.withdrawals.clear();
    await this.inbox.stop();
    await this.directory.stop();
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await closeRedisConnections(this.redis);
  }

  private async enqueue(job: DispatchJob): Promise<RegisterReply> {
    if (job.deadline <= Date.now()) throw new TechnicalFailureError('overloaded');
    const jobId = randomUUID();
    // Registered before the job exists, so even an instant reply finds its waiter; the waiter's
    // own timer ends the wait at the deadline whatever happens to Redis.
    const answer = this.inbox.expect(jobId, job.deadline);
    this.waiting.set(jobId, job.target);
    this.submit(jobId, job).catch(() => this.inbox.settle(jobId, new TechnicalFailureError('internal')));
    try {
      return await answer;
    } catch (e) {
      if (e instanceof TechnicalFailureError && e.failure === 'timeout') {
        const { failure, unattributed } = await this.withdraw(jobId, job.target);
        throw new TechnicalFailureError(failure, { cause: e, unattributed });
      }
      throw e;
    } finally {
      this.waiting.delete(jobId);
    }
  }

  private async submit(jobId: string, job: DispatchJob): Promise<void> {
    const { commands } = this.redis;
    // After a connection loss, fail fast; only the very first start-up waits for Redis.
    if (commands.status !== 'ready') {
      if (this.everReady) throw new Error('redis not ready');
      await whenReady(commands, job.deadline - Date.now());
    }
    await this.inbox.start();
    await this.directory.announce(job.target);
    const queue = this.queueFor(job.target);
    if (!this.inbox.isWaiting(jobId)) return; // timed out meanwhile: do not leave a job behind
    const options: JobsOptions = {
      jobId,
      // One send per job: a retry is a new message, signed afresh by the waiting pipeline.
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
      // Stack traces would be kept in the job hash; the failure class is all anyone needs.
      stackTraceLimit: 0,
    };
    await queue.add('dispatch', sealJob(this.sealer, jobId, job, this.instanceId), options);
  }

  /**
   * The caller gave up: a job still waiting (or delayed for a retry) is removed at once. An
   * active one cannot be removed while locked; if its worker died, nobody may be left to
   * recover it, so once the lock has expired it is removed then — its query must not linger.
   */
  private async withdraw(jobId: string, target: string): Promise<{ failure: TechnicalFailure; unattributed?: boolean }> {
    // Redis gone: the job may never have reached it, and nothing more can be learnt.
    if (this.redis.commands.status !== 'ready') return { failure: 'internal' };
    const queue = this.queues.get(target);
    if (queue === undefined) return { failure: 'overloaded' };
    // What the job went through tells the caller's failure class: never started by a worker
    // means the register was never asked; a job waiting for a retry failed for its last reason.
    // Bounded, since the answer is due now.
    const seen = await withTimeout(queue.getJob(jobId), WITHDRAW_LOOKUP_MS).catch(() => 'unknown' as const);
    const removal = queue.remove(jobId).catch(() => 0);
    void removal.then((removed) => {
      if (removed === 1 || this.closing) return;
      const later = setTimeout(() => {
        this.withdrawals.delete(later);
        void queue.remove(jobId).catch(() => 0);
      }, (this.opts.lockDurationMs ?? 30_000) + 500);
      later.unref();
      this.withdrawals.add(later);
    });
    const removed = await withTimeout(removal, WITHDRAW_LOOKUP_MS).catch(() => 0);
    // No job: it was never added (the wait ended before submit could add it).
    if (seen === undefined) return { failure: 'overloaded' };
    if (seen === 'unknown') return { failure: 'timeout' };
    // Still held by another instance's worker: a slow register, or an instance that died with
    // the job — which one, nobody here can tell, so the register's breaker does not count it.
    if (removed !== 1) return { failure: 'timeout', unattributed: seen.processedBy !== undefined && seen.processedBy !== this.instanceId };
    if (seen.attemptsStarted === 0) return { failure: 'overloaded' };
    return { failure: isTechnicalFailure(seen.failedReason) ? seen.failedReason : 'timeout' };
  }

  private queueFor(target: string): Queue<QueuedJobData> {
    let queue = this.queues.get(target);
    if (queue === undefined) {
      queue = new Queue<QueuedJobData>(this.keys.queueName(target, this.sealer.keyId), {
        connection: this.redis.commands,
        prefix: this.keys.prefix,
        streams: { events: { maxLen: this.opts.eventsMaxLen ?? 100 } },
      });
      queue.on('error', () => undefined);
      this.queues.set(target, queue);
      this.startWorker(target);
    }
    return queue;
  }

  private startWorker(target: string): void {
    const processor = this.processor;
    if (processor === undefined || this.closing || this.workers.has(target)) return;
    const limit = this.opts.rateLimitOf?.(target);
    const worker = new Worker<QueuedJobData>(this.keys.queueName(target, this.sealer.keyId), processor.process, {
      connection: this.redis.workers,
      prefix: this.keys.prefix,
      concurrency: Math.max(1, this.concurrencyOf(target)),
      ...(limit ? { limiter: { max: limit.max, duration: limit.durationMs } } : {}),
      lockDuration: this.opts.lockDurationMs ?? 30_000,
      stalledInterval: this.opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: 1,
      // Short long-poll, so close() does not wait seconds for an idle worker's blocking call.
      drainDelay: 1,
      name: this.instanceId,
    });
    // Errors reach callers as technical failures; BullMQ's error texts are not logged here.
    worker.on('error', () => undefined);
    this.workers.set(target, worker);
    if (this.opts.concurrencyScope === 'cluster') {
      void this.queueFor(target).setGlobalConcurrency(Math.max(1, this.concurrencyOf(target))).catch(() => undefined);
    }
  }
}

/** How long a timed-out dispatch may look up its job to name the failure class. */
const WITHDRAW_LOOKUP_MS = 100;


function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
