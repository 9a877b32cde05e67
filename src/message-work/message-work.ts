import type { Outcome } from '../answer/outcome.js';
import type { AcceptedQuery } from './accept-query.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { Release } from '../xmeld/releases.js';

/** What the pipeline needs to read a register's answer. */
export interface AnswerContext {
  answerNumber: '1331' | '1333';
  /** nachrichtenUUID of the forwarded query, which the answer must name. */
  queryUuid: string;
  /** Route target key (`land:09`, `mirror`): decides whose signature the answer must carry. */
  target: string;
  /** The release the query was forwarded in, and the caller's (see NormalizeContext). */
  sentRelease: Release;
  callerRelease: Release;
  /** For a register found in the DVDV: the certificates it publishes (base64 DER), the only signers accepted. */
  directoryCertificates?: string[];
}

export interface NormalizedAnswer {
  outcome: Outcome;
  /** The register's party and the legacy allowances its signature needed (counted, logged). */
  legacy?: { partyId: string; uses: readonly string[] };
}

/**
 * The CPU-bound steps of a query — XML parsing, XSD, XML-DSig, canonicalization — behind one
 * narrow interface, so they can run on the event loop (inline) or in a worker pool. Only
 * bytes, strings and plain objects cross it.
 */
export interface MessageWork {
  /** Parse, verify, validate and read a caller's query; throws QueryRefused with the RTS code. */
  accept(raw: Buffer, clientCertificate?: string): Promise<AcceptedQuery>;
  /** Adds the gateway's WS-Security signature to an envelope. */
  sign(envelopeXml: string): Promise<string>;
  /** Whatever the register answered, one Outcome (contract §7), and the legacy crypto its signature used. */
  normalize(reply: RegisterReply, ctx: AnswerContext): Promise<NormalizedAnswer>;
  close(): Promise<void>;
}
