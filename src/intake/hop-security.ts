import type { XmlElement } from 'libxml2-wasm';
import type { Envelope } from '../soap/read-envelope.js';

/**
 * The WS-Security step on both sides of every hop. `verify` returns the message element that
 * was signed — the pipeline processes only that; `sign` adds wsse:Security to an envelope.
 */
export interface HopSecurity {
  verify(raw: Buffer, envelope: Envelope, hop: 'caller' | 'register'): Promise<XmlElement>;
  sign(envelopeXml: string): Promise<string>;
}

/** No signatures: for tests of the message path alone and for unsigned development setups. */
export const unsignedHops: HopSecurity = {
  verify: async (_raw, envelope) => envelope.message,
  sign: async (xml) => xml,
};
