import type { AcceptedQuery } from './accept-query.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { LiveMaterial } from '../reload/live-material.js';
import type { AnswerContext, MessageWork, NormalizedAnswer } from './message-work.js';

/** What the split needs of the pool (WorkerPoolMessageWork). */
export interface PoolWork extends MessageWork {
  ready(): Promise<void>;
  reload(material: LiveMaterial): Promise<void>;
}

export interface SizeSplitOptions {
  /** Messages up to this many bytes stay on the event loop; 0: all go to the pool. */
  aboveBytes: number;
  /** The pool is closed after this long without a task of its own (its memory back to the system). */
  idleMs: number;
}

/**
 * Small messages on the calling thread, large ones on a worker pool. A query of a few KB costs
 * about a millisecond of CPU to check and sign, less than handing it to a thread and back; a
 * message of megabytes costs hundreds and would stall every other query on the event loop.
 * The pool starts with the first large message (so a gateway that sees none never pays for
 * its threads) and is closed when it has been idle for `idleMs`.
 */
export class SizeSplitMessageWork implements MessageWork {
  private pool: PoolWork | undefined;
  private inFlight = 0;
  private lastUsed = 0;
  private readonly idleTimer: NodeJS.Timeout;
  private closed = false;

  /**
   * `startPool` builds a pool on the material given (the one current at that moment). With
   * `aboveBytes` 0 every message is large and the pool runs from the start (see ready()).
   */
  constructor(
    private readonly inline: MessageWork,
    private readonly startPool: (material: LiveMaterial | undefined) => PoolWork,
    private material: LiveMaterial | undefined,
    private readonly opts: SizeSplitOptions,
  ) {
    this.idleTimer = setInterval(() => this.closeIfIdle(), Math.max(1_000, Math.floor(opts.idleMs / 2)));
    this.idleTimer.unref();
  }

  /** With every message on the pool, its threads are started now, so bad keys fail at start. */
  async ready(): Promise<void> {
    if (this.opts.aboveBytes === 0) await this.usePool().ready();
  }

  /** Whether the pool runs now (for logs and tests). */
  get poolRunning(): boolean {
    return this.pool !== undefined;
  }

  /** A reload: the running pool switches; one started later starts on the new material. */
  async reload(material: LiveMaterial): Promise<void> {
    const previous = this.material;
    this.material = material;
    try {
      await this.pool?.reload(material);
    } catch (e) {
      this.material = previous;
      throw e;
    }
  }

  accept(raw: Buffer, clientCertificate?: string): Promise<AcceptedQuery> {
    if (!this.large(raw.byteLength)) return this.inline.accept(raw, clientCertificate);
    return this.onPool((p) => p.accept(raw, clientCertificate));
  }

  sign(envelopeXml: string): Promise<string> {
    // Characters, not bytes: close enough for a threshold, and free.
    if (!this.large(envelopeXml.length)) return this.inline.sign(envelopeXml);
    return this.onPool((p) => p.sign(envelopeXml));
  }

  normalize(reply: RegisterReply, ctx: AnswerContext): Promise<NormalizedAnswer> {
    if (!this.large(reply.body.byteLength)) return this.inline.normalize(reply, ctx);
    return this.onPool((p) => p.normalize(reply, ctx));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.idleTimer);
    const pool = this.pool;
    this.pool = undefined;
    await Promise.all([this.inline.close(), pool?.close()]);
  }

  private large(bytes: number): boolean {
    return this.opts.aboveBytes === 0 || bytes > this.opts.aboveBytes;
  }

  private usePool(): PoolWork {
    if (this.closed) throw new Error('message work is closed');
    this.pool ??= this.startPool(this.material);
    return this.pool;
  }

  private async onPool<T>(fn: (pool: PoolWork) => Promise<T>): Promise<T> {
    const pool = this.usePool();
    this.inFlight++;
    this.lastUsed = Date.now();
    try {
      return await fn(pool);
    } finally {
      this.inFlight--;
      this.lastUsed = Date.now();
    }
  }

  private closeIfIdle(): void {
    const pool = this.pool;
    if (pool === undefined || this.opts.aboveBytes === 0 || this.inFlight > 0 || Date.now() - this.lastUsed < this.opts.idleMs) return;
    this.pool = undefined;
    void pool.close();
  }
}
