/**
 * Group commit in front of a ProtocolStore: while one append transaction is in flight, calls
 * that arrive queue up and go together in the next transaction. Each caller's promise settles
 * when its own records are committed (or failed), so "record before delivering" still holds, but
 * under load the store sees batches — the chain is serial per partition, so batching, not
 * parallel transactions, is what raises throughput. At low load nothing waits: a lone call is
 * written at once.
 */
import type { NewProtocolRecord } from './protocol-record.js';
import type { ProtocolStore } from './protocol-store.js';
import { parseNewRecord } from './record-schema.js';

/**
 * The store did not confirm a write by the caller's deadline. Records still queued were
 * withdrawn (nothing written); records already in the store's transaction may still commit.
 */
export class ProtocolTimeoutError extends Error {
  override readonly name = 'ProtocolTimeoutError';
  constructor(readonly written: 'no' | 'unknown') {
    super(`protocol write not confirmed in time (written: ${written})`);
  }
}

interface Pending {
  records: NewProtocolRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
  timer?: NodeJS.Timeout;
  settled?: boolean;
}

export class GroupCommitAppender {
  private readonly queue: Pending[] = [];
  private inFlight: Promise<void> | undefined;
  private transactions = 0;

  constructor(
    private readonly store: Pick<ProtocolStore, 'append'>,
    /** Records per transaction at most (a single larger call still goes whole). */
    private readonly maxRecords = 500,
  ) {}

  /** Transactions issued so far (for metrics and tests). */
  get transactionCount(): number {
    return this.transactions;
  }

  /**
   * Settles when the records are committed, or at `deadline` (epoch ms) with a
   * ProtocolTimeoutError: a store that hangs never holds a caller past its deadline.
   */
  append(records: NewProtocolRecord[], deadline?: number): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    try {
      // An invalid call fails alone instead of failing the batch it would have joined.
      for (const r of records) parseNewRecord(r);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { records, resolve, reject };
      if (deadline !== undefined) {
        pending.timer = setTimeout(() => this.expire(pending), Math.max(0, deadline - Date.now()));
      }
      this.queue.push(pending);
      this.kick();
    });
  }

  private expire(p: Pending): void {
    const queued = this.queue.indexOf(p);
    if (queued >= 0) this.queue.splice(queued, 1);
    settle(p, new ProtocolTimeoutError(queued >= 0 ? 'no' : 'unknown'));
  }

  /** Resolves when everything queued so far is written. */
  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private kick(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (batch.length > 0 && count + next.records.length > this.maxRecords) break;
      batch.push(next);
      count += next.records.length;
      this.queue.shift();
    }
    this.transactions++;
    this.inFlight = this.store
      .append(batch.flatMap((p) => p.records))
      .then(
        () => batch.forEach((p) => settle(p)),
        (err: unknown) => batch.forEach((p) => settle(p, err)),
      )
      .finally(() => {
        this.inFlight = undefined;
        this.kick();
      });
  }
}

function settle(p: Pending, err?: unknown): void {
  if (p.settled) return;
  p.settled = true;
  clearTimeout(p.timer);
  if (err === undefined) p.resolve();
  else p.reject(err);
}
