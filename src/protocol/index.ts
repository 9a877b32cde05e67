/** Public API of the protocol store. */
export * from './protocol-record.js';
export type { ProtocolStore, VerifyReport, PurgeReport, PartitionVerifyResult, PartitionPurge } from './protocol-store.js';
export type { ChainBreak, BreakKind } from './chain-verifier.js';
export type { ExportFilter } from './export-filter.js';
export { partitionFor } from './export-filter.js';
export { createProtocolStore, type ProtocolStoreConfig } from './create-protocol-store.js';
export { PGliteProtocolStore, DEFAULT_PROTOCOL_DATA_DIR, IN_MEMORY } from './pglite-store.js';
export { PostgresProtocolStore } from './postgres-store.js';
export { SqlProtocolStore, type SqlProtocolStoreOptions } from './sql-protocol-store.js';
export { InvalidProtocolRecordError } from './record-schema.js';
export { purgeCutoff, earliestDeletion, latestDeletion, PROTOCOL_TIME_ZONE } from './retention.js';
export { recordsForHop, technicalRecord, partitionPolicy, type PartitionPolicy } from './partition-policy.js';
export { toCsv, csvLine, csvCell, CSV_COLUMNS } from './export-csv.js';
export { toNdjson, ndjsonLine } from './export-json.js';
export { GroupCommitAppender } from './group-commit-appender.js';
