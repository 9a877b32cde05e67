/**
 * The protocol record: one per hop of a query (contract §8).
 *
 * It carries who asked, why, and what was asked (§ 40 BMG), plus the kind of answer — never the
 * answer's personal data. There is deliberately no field that could hold it; the runtime schema
 * (record-schema.ts) is strict, so an unknown field such as `person` is refused, not stored.
 */

export const HOPS = [
  'received',
  'rejected',
  'routed',
  'dispatched',
  'answered',
  /** The answer's bytes were handed to the caller's connection (recorded after, not before). */
  'delivered',
  /** The answer was ready but the caller's connection ended before it could be written. */
  'delivery-failed',
  'failed',
  /** Closes a trail that a crash (or a lost protocol write) left without its `delivered` or `delivery-failed`. */
  'aborted',
  'exported',
  'purged',
  /** An operator's act: a reload of the live configuration, a suspension, a console sign-in. */
  'operator',
] as const;
export type Hop = (typeof HOPS)[number];

/** Hops the store writes itself; callers of `append` cannot forge them. */
export const INTERNAL_HOPS: ReadonlySet<Hop> = new Set<Hop>(['exported', 'purged']);

export const MESSAGE_TYPES = ['1330', '1331', '1332', '1333', '0910'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const OPERATOR_PARTITION = 'operator';
/** prevHash of the first record of every partition. */
export const GENESIS_HASH = '0'.repeat(64);

/** Partition of a security authority that commissioned the operator to protocol for it. */
export function authorityPartition(authorityId: string): string {
  return `authority:${authorityId}`;
}

/**
 * The kind of answer as recorded: codes and counts only. (The answer itself, persons and all, is
 * answer/outcome.ts's Outcome; this is what the protocol may keep of it.)
 */
export interface RecordedOutcome {
  /** ergebnisstatus code of the 1331/1333 (01–04). */
  ergebnisstatus?: string;
  /** rueckweisung codes (01–24). */
  rueckweisung?: string[];
  /** RTS code of a 0910. */
  rts?: string;
  /** Technical failure class (errors.ts TechnicalFailure). */
  technicalFailure?: string;
  /** Number of persons in the answer ("Treffer"), not the persons. */
  personCount?: number;
}

export interface ExportRequester {
  /** dpo and operator read the operator partition; an authority only its own. */
  kind: 'dpo' | 'operator' | 'authority';
  /** DPO or operator: who (user name); authority: its kennung (its partition is `authority:<id>`). */
  id: string;
  /** Why the protocol is read (§ 40 Abs. 5 BMG limits the purposes). */
  purpose?: string;
}

/** The filter of an export as recorded in the `exported` record (dates as ISO strings). */
export interface RecordedExportFilter {
  from?: string;
  to?: string;
  autorKennung?: string;
  vorgangsnummer?: string;
  aktenzeichen?: string;
  target?: string;
  hops?: Hop[];
}

/** Content of an `exported` record: who read the protocol with which filter. */
export interface ExportInfo {
  requester: ExportRequester;
  partition: string;
  filter: RecordedExportFilter;
}

/** A seq range of a partition that holds no records any more, with the hash of its last record. */
export interface ChainGap {
  fromSeq: number;
  toSeq: number;
  lastHash: string;
}

/**
 * Content of a `purged` record. `gaps` lists every gap of the partition after this purge (not
 * only the new ones), so verify needs just the latest `purged` record to tell deletion by
 * retention from tampering.
 */
export interface PurgeInfo {
  cutoff: string;
  count: number;
  fromAt: string;
  toAt: string;
  purgedRanges: ChainGap[];
  gaps: ChainGap[];
}

export const OPERATOR_ACTIONS = ['reload', 'reload-refused', 'suspend', 'unsuspend', 'sign-in', 'sign-in-refused'] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

/**
 * Content of an `operator` record: who did what, when (the record's `at`), and what changed —
 * names, flags and certificate fingerprints, never key material.
 */
export interface OperatorEvent {
  action: OperatorAction;
  /** Who: a console user (`operator:<name>`, `dpo:<name>`, `authority:<kennung>`), `signal:SIGHUP`, `peer:<instance>`. */
  actor: string;
  /** What changed (reload), or what was tried (refused). */
  changes: string[];
  /** Why: the reason given for a suspension, or why a reload was refused. */
  reason?: string;
}

/** What a caller hands to `append`. */
export interface NewProtocolRecord {
  vorgangsnummer: string;
  hop: Hop;
  /** When the hop happened; stored with millisecond precision. */
  at: Date;
  messageType: MessageType | null;
  nachrichtenUUID?: string;
  // The requesting authority.
  autorKennung?: string;
  /** behoerdenname of the abrufberechtigte Stelle, free text. */
  abrufberechtigteStelle?: string;
  aktenzeichen?: string;
  anlassDesAbrufs?: string;
  /** kennung of the requesting person or procedure. */
  kennung?: string;
  sicherheitsbehoerde?: boolean;
  // The query data.
  /** The search profile as an extracted JSON structure (not XML). */
  suchprofil?: unknown;
  anforderungselemente?: string[];
  /** e.g. `land:09` or `mirror`. */
  target?: string;
  /** XMeld release of the message this hop carried (`25.11a`, `26.11`). */
  xmeldRelease?: string;
  /** Where the gateway translated the message: the release it was translated from. */
  translatedFrom?: string;
  /** URL the message was sent to (routed, dispatched hops). */
  endpoint?: string;
  /** Where that URL came from: the directory (`dvdv`) or the configuration (`config`). */
  endpointSource?: 'dvdv' | 'config';
  outcome?: RecordedOutcome;
  /** Defaults to `operator`. */
  partition?: string;
  exportInfo?: ExportInfo;
  purgeInfo?: PurgeInfo;
  operatorEvent?: OperatorEvent;
}

/** A stored record: the content plus its place in the partition's hash chain. */
export interface ProtocolRecord extends NewProtocolRecord {
  partition: string;
  /** Position in the partition, 1-based, gapless except where purged. */
  seq: number;
  prevHash: string;
  /** Hex SHA-256 over the canonical JSON of the content and prevHash (record-hash.ts). */
  hash: string;
}
