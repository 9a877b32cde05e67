import type { XmlElement } from 'libxml2-wasm';
import type { Envelope } from '../soap/read-envelope.js';

/**
 * Which hop a message arrived on: from a caller, or as the answer of a target register —
 * for a register found in the DVDV with the certificates it publishes (base64 DER).
 */
export type HopOrigin = { hop: 'caller' } | { hop: 'register'; target: string; directoryCertificates?: string[] };

/** The message that was signed, to be processed instead of what the envelope claims. */
export interface VerifiedMessage {
  message: XmlElement;
  /** The party whose signature was accepted. */
  partyId?: string;
  /** Legacy allowances of that party the signature needed (RSA size, PKCS#1 v1.5, SHA-1). */
  legacy?: readonly string[];
  /** Set when that party admits by DVDV category: the signer's DVDV fingerprint (SHA-1 hex) to check. */
  categoryFingerprint?: string;
  /** Frees what verification allocated (the re-parsed signed message). */
  release(): void;
}

/**
 * The WS-Security step on both sides of every hop: `verify` checks signature, signer trust and
 * freshness on the tree `envelope` was read from (the hop's one parse of `raw`) and hands back
 * only the signed message; `sign` adds wsse:Security to an envelope.
 */
export interface HopSecurity {
  verify(raw: Buffer, envelope: Envelope, from: HopOrigin): Promise<VerifiedMessage>;
  sign(envelopeXml: string): Promise<string>;
}

/** No signatures: for unsigned development setups only (`security.required: false`). */
export const unsignedHops: HopSecurity = {
  verify: async (_raw, envelope) => ({ message: envelope.message, release: () => undefined }),
  sign: async (xml) => xml,
};
