/**
 * The protocol store: one interface, one implementation over the same SQL
 * (sql-protocol-store.ts) for embedded SQLite, PostgreSQL and (legacy) PGlite.
 */
import type { ChainBreak } from './chain-verifier.js';
import type { ExportFilter } from './export-filter.js';
import type { ExportRequester, NewProtocolRecord, ProtocolRecord } from './protocol-record.js';

export interface PartitionVerifyResult {
  partition: string;
  /** Records read (the walk stops at the first break). */
  records: number;
  /** The partition head: note `headHash` outside the database to detect a rewritten chain. */
  headSeq: number;
  headHash: string | null;
  firstBreak?: ChainBreak;
}

export interface VerifyReport {
  ok: boolean;
  partitions: PartitionVerifyResult[];
  /** The first break over all partitions, if any. */
  firstBreak?: ChainBreak;
}

export interface PartitionPurge {
  partition: string;
  count: number;
  fromAt: Date;
  toAt: Date;
  /** Deleted seq ranges. */
  ranges: { fromSeq: number; toSeq: number }[];
}

export interface PurgeReport {
  dryRun: boolean;
  now: Date;
  /** Records made before this instant are (or would be) deleted (retention.ts). */
  cutoff: Date;
  total: number;
  partitions: PartitionPurge[];
}

export interface ProtocolStore {
  /** Creates or upgrades the schema; safe to call from many instances at once. */
  migrate(): Promise<void>;
  /**
   * Appends records atomically — all or none. The hash chain of each partition is extended inside
   * the same transaction, serialised per partition across all writers.
   */
  append(records: NewProtocolRecord[]): Promise<void>;
  /**
   * Streams the requester's partition (keyset pagination, constant memory). Writes an `exported`
   * record (who, when, which filter) to the operator partition before the first record leaves.
   */
  export(filter: ExportFilter, requester: ExportRequester): AsyncIterable<ProtocolRecord>;
  /** Walks the chain of one partition (or all) and reports the first broken link. */
  verify(partition?: string): Promise<VerifyReport>;
  /** Deletes records past retention at `now`, recording a `purged` entry per partition. */
  purge(now: Date, opts: { dryRun: boolean }): Promise<PurgeReport>;
  /**
   * Closes, with an `aborted` hop, every trail received in [since, before) that never got its
   * `delivered` or `delivery-failed` (a crash, a lost write); `before` must lie past the longest deadline, so no
   * instance can still be working on them. Returns how many were closed.
   */
  closeAbandoned(since: Date, before: Date): Promise<number>;
  /**
   * The nachrichtenUUIDs of all `received` records made at or after `since`, in every partition
   * (each once): rebuilds the replay window on restart.
   */
  receivedMessageIds(since: Date): Promise<string[]>;
  /** Cheap liveness check for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
