/**
 * Replay protection by nachrichtenUUID (contract §4, RTS S100). The interface is what the
 * verifier needs; the in-memory store serves a single node, a Redis store can replace it.
 */

export interface ReplayGuard {
  /**
   * True if id was already recorded and has not expired; otherwise records it until expiresAt
   * and returns false. Must be atomic per id. Throws ReplayGuardUnavailableError when it cannot
   * decide (store unreachable or full, or its memory lost since the message was created).
   */
  seen(id: string, expiresAt: Date, createdAt?: Date): Promise<boolean>;
}

/**
 * The guard cannot tell whether a message is new. The message is refused (fail closed), but
 * as the receiver's passing failure — never as "duplicate delivery", which it may not be.
 */
export class ReplayGuardUnavailableError extends Error {
  override readonly name = 'ReplayGuardUnavailableError';
}

/** In-process store; expired ids are swept lazily, at most every sweepEveryMs. */
export class InMemoryReplayGuard implements ReplayGuard {
  private readonly entries = new Map<string, number>();
  private nextSweep = 0;

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly sweepEveryMs = 30_000,
    /** Upper bound on remembered ids; beyond it the guard fails closed (treats ids as seen). */
    private readonly maxEntries = 1_000_000,
  ) {}

  seen(id: string, expiresAt: Date): Promise<boolean> {
    const now = this.clock();
    this.sweep(now);
    const until = this.entries.get(id);
    if (until !== undefined && until > now) return Promise.resolve(true);
    if (this.entries.size >= this.maxEntries) return Promise.reject(new ReplayGuardUnavailableError('replay store full'));
    this.entries.set(id, expiresAt.getTime());
    return Promise.resolve(false);
  }

  /** Records ids seen before this process started (rebuilt from the protocol). */
  remember(ids: Iterable<string>, expiresAt: Date): void {
    const until = expiresAt.getTime();
    for (const id of ids) if ((this.entries.get(id) ?? 0) < until) this.entries.set(id, until);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.sweepEveryMs;
    for (const [id, until] of this.entries) if (until <= now) this.entries.delete(id);
  }
}
