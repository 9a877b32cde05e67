import type { XmlElement } from 'libxml2-wasm';

/** What the pipeline needs of schema validation (implemented by the XSD validator). */
export interface MessageValidator {
  /** True when the element (an XMeld message root) is valid against the gateway's schemas. */
  isValid(message: XmlElement): boolean;
}
