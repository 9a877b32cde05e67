/**
 * Export filter and who may read which partition. An authority reads only its own partition;
 * the DPO reads the operator partition — never an authority's (§ 40 Abs. 3 BMG: those records
 * are the authority's).
 */
import {
  authorityPartition,
  OPERATOR_PARTITION,
  type ExportRequester,
  type Hop,
  type RecordedExportFilter,
} from './protocol-record.js';

export interface ExportFilter {
  /** Inclusive lower bound on `at`. */
  from?: Date;
  /** Exclusive upper bound on `at`. */
  to?: Date;
  /** The requesting authority (kennung of `autor`). */
  autorKennung?: string;
  vorgangsnummer?: string;
  aktenzeichen?: string;
  target?: string;
  hops?: Hop[];
}

export function partitionFor(requester: ExportRequester): string {
  if (!requester.id) throw new Error('export requester without id');
  return requester.kind === 'authority' ? authorityPartition(requester.id) : OPERATOR_PARTITION;
}

export function recordedFilter(filter: ExportFilter): RecordedExportFilter {
  const out: RecordedExportFilter = {};
  if (filter.from) out.from = filter.from.toISOString();
  if (filter.to) out.to = filter.to.toISOString();
  if (filter.autorKennung !== undefined) out.autorKennung = filter.autorKennung;
  if (filter.vorgangsnummer !== undefined) out.vorgangsnummer = filter.vorgangsnummer;
  if (filter.aktenzeichen !== undefined) out.aktenzeichen = filter.aktenzeichen;
  if (filter.target !== undefined) out.target = filter.target;
  if (filter.hops !== undefined) out.hops = [...filter.hops];
  return out;
}
