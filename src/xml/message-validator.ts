import type { XmlElement } from 'libxml2-wasm';
import type { ValidationIssue } from './xsd-validator.js';

/** 'valid', or the RTS code of the refusal: X010 wrong code list, X011 wrong code, X001 otherwise. */
export type SchemaVerdict = 'valid' | 'X001' | 'X010' | 'X011';

/** What the pipeline needs of schema validation (implemented by the XSD validator). */
export interface MessageValidator {
  /** The verdict on an element (an XMeld message root) against the gateway's schemas. */
  verdict(message: XmlElement): SchemaVerdict;
}

const CODE_VALUE = /^\[facet '(?:enumeration|pattern)'\]/;
const LIST_ATTRIBUTE = /^attribute 'list(?:URI|VersionID)': The value does not match the fixed value constraint/;

/**
 * XÖV reads a code element's faults apart from other schema faults: a listURI/listVersionID
 * other than the fixed one names the wrong code list (X010); a value outside the list's codes
 * is a wrong code (X011). Only when every issue is of that kind; any other issue is X001.
 */
export function schemaVerdictOf(issues: readonly ValidationIssue[]): Exclude<SchemaVerdict, 'valid'> {
  const kind = (i: ValidationIssue): 'X010' | 'X011' | 'X001' => {
    const onCode = i.element === 'code' || (i.element?.endsWith('}code') ?? false);
    if (LIST_ATTRIBUTE.test(i.reason)) return 'X010';
    return onCode && CODE_VALUE.test(i.reason) ? 'X011' : 'X001';
  };
  const kinds = issues.map(kind);
  if (kinds.length === 0 || kinds.includes('X001')) return 'X001';
  return kinds.includes('X010') ? 'X010' : 'X011';
}
