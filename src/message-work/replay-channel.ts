import type { MessagePort } from 'node:worker_threads';
import { ReplayGuardUnavailableError, type ReplayGuard } from '../security/replay-guard.js';

interface ReplayQuestion { seq: number; id: string; expiresAt: number; createdAt?: number }
type ReplayReply = { seq: number; seen: boolean } | { seq: number; unavailable: true };

/**
 * The replay store is the one piece of shared state a pool worker needs while it verifies: it
 * stays on the main thread (or in Redis behind it), and each task asks over a MessagePort.
 */
export function answerReplayQuestions(port: MessagePort, guard: ReplayGuard): void {
  port.on('message', (q: ReplayQuestion) => {
    guard.seen(q.id, new Date(q.expiresAt), q.createdAt === undefined ? undefined : new Date(q.createdAt)).then(
      (seen) => port.postMessage({ seq: q.seq, seen } satisfies ReplayReply),
      () => port.postMessage({ seq: q.seq, unavailable: true } satisfies ReplayReply),
    );
  });
}

/** The worker's side: a ReplayGuard that asks the port of the task it currently runs. */
export class PortReplayGuard implements ReplayGuard {
  private port: MessagePort | undefined;
  private seq = 0;
  private readonly pending = new Map<number, (reply: ReplayReply) => void>();

  /** One task at a time per worker (the pool's contract), so one current port. */
  use(port: MessagePort | undefined): void {
    this.port?.removeAllListeners('message');
    this.port = port;
    for (const settle of this.pending.values()) settle({ seq: -1, unavailable: true });
    this.pending.clear();
    port?.on('message', (reply: ReplayReply) => {
      this.pending.get(reply.seq)?.(reply);
      this.pending.delete(reply.seq);
    });
  }

  seen(id: string, expiresAt: Date, createdAt?: Date): Promise<boolean> {
    const port = this.port;
    if (port === undefined) return Promise.reject(new ReplayGuardUnavailableError('no replay channel'));
    const seq = ++this.seq;
    return new Promise<boolean>((resolve, reject) => {
      this.pending.set(seq, (reply) => {
        if ('seen' in reply) resolve(reply.seen);
        else reject(new ReplayGuardUnavailableError('replay store unavailable'));
      });
      const q: ReplayQuestion = { seq, id, expiresAt: expiresAt.getTime(), ...(createdAt ? { createdAt: createdAt.getTime() } : {}) };
      port.postMessage(q);
    });
  }
}
