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

interface Pending {
  records: NewProtocolRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
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

  append(records: NewProtocolRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    try {
      // An invalid call fails alone instead of failing the batch it would have joined.
      for (const r of records) parseNewRecord(r);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.kick();
    });
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
        () => batch.forEach((p) => p.resolve()),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.inFlight = undefined;
        this.kick();
      });
  }
}
