import { ParseOption, XmlDocument } from 'libxml2-wasm';
import { RejectedMessageError } from '../errors.js';
import { checkStructure, REQUEST_STRUCTURE_LIMITS, type StructureLimits } from './structure-limits.js';

/**
 * The one entry point for XML from outside. XÖV mandates UTF-8, SOAP forbids DTDs, so the
 * checks are strict: anything else is refused with X000 before libxml2 sees a single entity.
 * libxml2 itself runs without entity substitution, DTD loading or network access, and keeps its
 * built-in nesting limit (256 levels).
 */

export interface ParseLimits {
  /** Largest document accepted, in bytes. */
  maxBytes: number;
  /** What the document may contain (checked on the bytes, before libxml2 parses them). */
  structure: StructureLimits;
}

export const defaultParseLimits: ParseLimits = { maxBytes: 8 * 1024 * 1024, structure: REQUEST_STRUCTURE_LIMITS };

const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parseHardened(input: Uint8Array, limits: ParseLimits = defaultParseLimits): XmlDocument {
  if (input.byteLength > limits.maxBytes) {
    throw new RejectedMessageError('S999', 'Nachricht überschreitet die zulässige Größe');
  }
  const bytes = checkEncoding(input);
  refuseDoctype(bytes);
  checkStructure(bytes, limits.structure);
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(bytes, { option: PARSE_OPTIONS });
  } catch {
    // libxml2's message may quote document content: never pass it on.
    throw new RejectedMessageError('X000');
  }
  if (doc.dtd !== null) {
    doc.dispose();
    throw new RejectedMessageError('X000', 'DOCTYPE ist nicht erlaubt');
  }
  return doc;
}

/** Returns the bytes without a UTF-8 BOM; refuses every other encoding and mislabelled input. */
function checkEncoding(input: Uint8Array): Buffer {
  const b0 = input[0];
  const b1 = input[1];
  if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe) || b0 === 0x00 || (b0 !== undefined && b1 === 0x00)) {
    throw new RejectedMessageError('X000', 'Zeichenkodierung muss UTF-8 sein');
  }
  const all = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const body = b0 === 0xef && b1 === 0xbb && input[2] === 0xbf ? all.subarray(3) : all;
  try {
    utf8.decode(body);
  } catch {
    throw new RejectedMessageError('X000', 'Ungültige UTF-8-Kodierung');
  }
  const declared = declaredEncoding(body);
  if (declared !== undefined && declared.toLowerCase() !== 'utf-8' && declared.toLowerCase() !== 'utf8') {
    throw new RejectedMessageError('X000', 'Zeichenkodierung muss UTF-8 sein');
  }
  return body;
}

function declaredEncoding(body: Buffer): string | undefined {
  if (!body.subarray(0, 5).equals(XML_DECL_START)) return undefined;
  const end = body.indexOf('?>');
  if (end < 0 || end > 512) return undefined; // libxml2 reports the broken declaration
  const decl = body.subarray(0, end).toString('latin1');
  return /\sencoding\s*=\s*["']([^"']*)["']/.exec(decl)?.[1];
}

const XML_DECL_START = Buffer.from('<?xml', 'latin1');

/**
 * A DOCTYPE can only stand in the prolog: walk it (declaration, comments, PIs, white space)
 * up to the root element and refuse the first `<!DOCTYPE`.
 */
function refuseDoctype(b: Buffer): void {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if (c !== 0x3c) return; // garbage: libxml2 refuses it
    const next = b[i + 1];
    if (next === 0x3f) {
      const end = b.indexOf('?>', i + 2);
      if (end < 0) return;
      i = end + 2;
    } else if (next === 0x21 && b[i + 2] === 0x2d && b[i + 3] === 0x2d) {
      const end = b.indexOf('-->', i + 4);
      if (end < 0) return;
      i = end + 3;
    } else if (next === 0x21) {
      throw new RejectedMessageError('X000', 'DOCTYPE ist nicht erlaubt');
    } else {
      return; // the root element
    }
  }
}
