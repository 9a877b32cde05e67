import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { TechnicalFailureError, type TechnicalFailure } from '../errors.js';
import type { DispatchHandler, DispatchJob } from './dispatch-job.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { PayloadSealer } from './payload-sealer.js';
import type { ReplyPublisher } from './reply-publisher.js';
import { encodeOutcome, openJob, type QueuedJobData } from './wire-format.js';

/**
 * How long the "answered" marker outlives the deadline. Past the deadline no worker sends a job
 * anyway (see the first check in `process`); the grace covers clock skew between instances.
 */
const ANSWERED_MARKER_GRACE_MS = 5_000;

/**
 * The worker side of one BullMQ job: open the sealed query, send it once through the handler,
 * and hand the outcome to the waiting instance over pub/sub (retries are the pipeline's). The processor always returns `null`:
 * whatever it returned would be written to the job hash and to the queue's events stream.
 *
 * Errors thrown to BullMQ carry only a failure class code ('unreachable', …) as message, because
 * BullMQ writes the message into the job hash and the events stream ("failedReason").
 */
export class DispatchProcessor {
  private readonly running = new Set<AbortController>();
  private terminated = false;

  constructor(
    private readonly handler: DispatchHandler,
    private readonly sealer: PayloadSealer,
    private readonly publisher: ReplyPublisher,
    private readonly log?: Pick<Logger, 'warn'>,
    private readonly now: () => number = Date.now,
  ) {}

  readonly process = async (job: Job<QueuedJobData>): Promise<null> => {
    const jobId = job.id;
    if (jobId === undefined) throw new UnrecoverableError('internal');
    const data = job.data;
    // The caller stopped waiting: sending now would only produce an answer nobody reads.
    if (data.deadline <= this.now()) return null;
    // A previous run got the register's answer (and published it) but died before completing
    // the job: do not ask the register again.
    if (await this.publisher.wasAnswered(jobId)) return null;
    // A run before this one (on an instance that died) may have sent the signed message: sending
    // the same bytes again would be a replay. The waiting instance decides, and a retry is a new
    // message with its own nachrichtenUUID.
    if ((job.attemptsStarted ?? 1) > 1) {
      await this.reportFailure(data, jobId, 'interrupted');
      throw new UnrecoverableError('interrupted');
    }

    let query: DispatchJob;
    try {
      if (data.keyId !== this.sealer.keyId) throw new Error('foreign key');
      query = openJob(this.sealer, jobId, data);
    } catch {
      // Queues are per key pool, so this means altered data (or a bug): refuse, never guess.
      this.log?.warn({ event: 'queue-job-unreadable', keyMatches: data.keyId === this.sealer.keyId }, 'queued job cannot be opened with this instance\'s queue key');
      await this.reportFailure(data, jobId, 'internal');
      throw new UnrecoverableError('internal');
    }

    let reply: RegisterReply;
    try {
      reply = await this.send(query);
    } catch (e) {
      if (this.terminated) return never();
      const failure = e instanceof TechnicalFailureError ? e.failure : 'internal';
      await this.reportFailure(data, jobId, failure);
      throw new UnrecoverableError(failure);
    }
    if (this.terminated) return never();
    // From here on the register has answered: never retry, whatever happens.
    try {
      const frame = encodeOutcome(this.sealer, jobId, { reply });
      await this.publisher.deliverReply(data.replyTo, jobId, frame, data.deadline - this.now() + ANSWERED_MARKER_GRACE_MS);
    } catch {
      throw new UnrecoverableError('internal');
    }
    return null;
  };

  /** Simulates (or is) a crash: running handlers are aborted and their jobs left to stall recovery. */
  terminate(): void {
    this.terminated = true;
    for (const c of this.running) c.abort(new TechnicalFailureError('internal'));
  }

  private async send(query: DispatchJob): Promise<RegisterReply> {
    const controller = new AbortController();
    this.running.add(controller);
    const timer = setTimeout(() => controller.abort(new TechnicalFailureError('timeout')), Math.max(0, query.deadline - this.now()));
    try {
      return await this.handler(query, controller.signal);
    } catch (e) {
      if (controller.signal.aborted && !this.terminated) throw new TechnicalFailureError('timeout', { cause: e });
      throw e;
    } finally {
      clearTimeout(timer);
      this.running.delete(controller);
    }
  }

  private async reportFailure(data: QueuedJobData, jobId: string, failure: TechnicalFailure): Promise<void> {
    // Best effort: if Redis is unreachable the caller's own deadline timer ends its wait.
    await this.publisher.deliverFailure(data.replyTo, encodeOutcome(this.sealer, jobId, { failure })).catch(() => 0);
  }
}

/** A crashed process never finishes its jobs; BullMQ's stalled-job check takes them over. */
function never(): Promise<never> {
  return new Promise(() => undefined);
}
