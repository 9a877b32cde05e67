import { GroupCommitAppender } from './group-commit-appender.js';
import { partitionPolicy, recordsForHop, type PartitionPolicy } from './partition-policy.js';
import type { NewProtocolRecord } from './protocol-record.js';
import type { ProtocolStore } from './protocol-store.js';

/**
 * How the gateway writes its protocol: each hop's record goes to the partitions § 40 Abs. 3
 * BMG assigns it (security authorities' own partition or technical record only), and all
 * writers of the process share one group commit. `append` settles when its records are
 * committed.
 */
export class ProtocolWriter {
  private readonly appender: GroupCommitAppender;
  private readonly policy: PartitionPolicy;

  constructor(store: Pick<ProtocolStore, 'append'>, commissionedAuthorities: Iterable<string>) {
    this.appender = new GroupCommitAppender(store);
    this.policy = partitionPolicy(commissionedAuthorities);
  }

  /** Settles when committed, or at `deadline` (epoch ms) with a ProtocolTimeoutError. */
  append(records: NewProtocolRecord[], deadline?: number): Promise<void> {
    return this.appender.append(records.flatMap((r) => recordsForHop(r, this.policy)), deadline);
  }

  drain(): Promise<void> {
    return this.appender.drain();
  }
}
