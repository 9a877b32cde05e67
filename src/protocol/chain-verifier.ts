/**
 * Walks one partition's records in seq order and finds the first broken link. Pure: the store
 * feeds rows and the gap list of the latest `purged` record.
 *
 * - modified: a record's content no longer matches its own hash;
 * - deleted: a seq gap no purge accounts for, or records missing after the last one (head row);
 * - reordered: the record does not link to its predecessor (moved, inserted, or re-hashed);
 * - inserted: records beyond the chain head, which no append wrote.
 */
import { GENESIS_HASH, type ChainGap } from './protocol-record.js';

export type BreakKind = 'modified' | 'deleted' | 'reordered' | 'inserted';

export interface ChainBreak {
  partition: string;
  /** seq of the first record (or of the first missing seq) where the chain breaks. */
  seq: number;
  kind: BreakKind;
  detail: string;
}

export interface ChainRow {
  seq: number;
  prevHash: string;
  hash: string;
  /** The hash recomputed from the stored content. */
  computedHash: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

export class ChainVerifier {
  private prevSeq = 0;
  private prevHash = GENESIS_HASH;
  private count = 0;
  private broken: ChainBreak | undefined;

  constructor(
    private readonly partition: string,
    /** Gaps listed by the latest `purged` record of the partition (none if never purged). */
    private readonly gaps: readonly ChainGap[],
  ) {}

  get firstBreak(): ChainBreak | undefined {
    return this.broken;
  }

  get records(): number {
    return this.count;
  }

  /** Feeds the next row; returns false once the chain is broken (no need to read further). */
  feed(row: ChainRow): boolean {
    if (this.broken) return false;
    this.count++;
    if (row.computedHash !== row.hash) {
      return this.fail(row.seq, 'modified', 'content does not match the record hash');
    }
    if (row.seq !== this.prevSeq + 1) {
      const gap = this.gaps.find(
        (g) => g.fromSeq === this.prevSeq + 1 && g.toSeq === row.seq - 1 && g.lastHash === row.prevHash,
      );
      if (!gap) {
        return this.fail(this.prevSeq + 1, 'deleted', `seq ${this.prevSeq + 1}–${row.seq - 1} missing and not purged`);
      }
    } else if (row.prevHash !== this.prevHash) {
      return this.fail(row.seq, 'reordered', 'record does not link to its predecessor');
    }
    this.prevSeq = row.seq;
    this.prevHash = row.hash;
    return true;
  }

  /**
   * Records no append wrote: stored seqs beyond the head. `maxSeq` must be read before
   * `headSeq`, so that a concurrent append (rows and head move in one transaction) is never one.
   */
  checkBeyondHead(maxSeq: number, headSeq: number): void {
    if (!this.broken && maxSeq > headSeq) {
      this.fail(headSeq + 1, 'inserted', `records after the chain head (seq ${headSeq})`);
    }
  }

  /** Checks the tail against the partition's head row, which every append updates. */
  finish(head: ChainHead | undefined): ChainBreak | undefined {
    if (this.broken) return this.broken;
    if (!head) {
      if (this.count > 0) this.fail(1, 'deleted', 'chain head row missing');
      return this.broken;
    }
    if (head.seq !== this.prevSeq) {
      this.fail(this.prevSeq + 1, 'deleted', `records after seq ${this.prevSeq} missing (head at ${head.seq})`);
    } else if (head.hash !== this.prevHash) {
      this.fail(head.seq, 'modified', 'last record does not match the chain head');
    }
    return this.broken;
  }

  private fail(seq: number, kind: BreakKind, detail: string): false {
    this.broken = { partition: this.partition, seq, kind, detail };
    return false;
  }
}
