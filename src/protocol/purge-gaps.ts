/**
 * Merges the gaps a partition already had with the seq ranges a purge deletes now, so the new
 * `purged` record can list every gap of the partition (see PurgeInfo). Pure.
 */
import type { ChainGap } from './protocol-record.js';

export function mergeGaps(existing: readonly ChainGap[], purged: readonly ChainGap[]): ChainGap[] {
  const all = [...existing, ...purged].sort((a, b) => a.fromSeq - b.fromSeq);
  const merged: ChainGap[] = [];
  for (const gap of all) {
    const last = merged[merged.length - 1];
    if (last && gap.fromSeq <= last.toSeq + 1) {
      // Adjacent or overlapping: one gap; its last hash is that of the later-ending range.
      if (gap.toSeq > last.toSeq) {
        last.toSeq = gap.toSeq;
        last.lastHash = gap.lastHash;
      }
    } else {
      merged.push({ ...gap });
    }
  }
  return merged;
}
